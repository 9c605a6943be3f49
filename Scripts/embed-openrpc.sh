#!/usr/bin/env bash
# Regenerates Sources/TaskwireServer/OpenRPCDocument.swift from Protocol/openrpc.json, so that the binary serves
# the document through rpc.discover without reading files at run time. A test fails when the two drift.
set -euo pipefail
cd "$(dirname "$0")/.."
out=Sources/TaskwireServer/OpenRPCDocument.swift
{
    echo '// swift-format-ignore-file'
    echo '// Generated from Protocol/openrpc.json by Scripts/embed-openrpc.sh; do not edit by hand.'
    echo '// OpenRPCDocumentTests fails when this file and Protocol/openrpc.json differ.'
    echo 'public import TaskwireProtocol'
    echo ''
    echo '/// The OpenRPC document of `Protocol/openrpc.json`, served by `rpc.discover`.'
    echo 'public enum OpenRPCDocument {'
    echo '    /// The document text, byte for byte as in `Protocol/openrpc.json`.'
    echo '    public static let text = ##"""'
    cat Protocol/openrpc.json
    echo '"""##'
    echo ''
    echo '    /// The document as a JSON value.'
    echo '    public static let value: JSON = {'
    echo '        do { return try JSONParser.parse(text) } catch { fatalError("Protocol/openrpc.json is not valid JSON: \(error)") }'
    echo '    }()'
    echo '}'
} > "$out"
echo "wrote $out"
