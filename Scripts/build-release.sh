#!/usr/bin/env bash
# The release build, as shipped and as measured: every script that builds in release mode builds through this
# one, so that they share one build directory (a different flag anywhere would rebuild everything).
#
#   Scripts/build-release.sh --product taskwire
#   Scripts/build-release.sh --show-bin-path
#
# Besides the runtime linked statically (--static-swift-stdlib), the flags lay the executable out so that an idle
# host touches few of its pages (README, "Memory"):
#   -function-sections            each Swift function in its own section, so that the linker can move it
#   -use-ld=lld                   the toolchain's linker, for the two options below
#   --symbol-ordering-file        Scripts/taskwire.order (Scripts/link-order.sh): the functions a host runs from
#                                 start to idle first, then those it runs for requests and deliveries, together
#   -z pack-relative-relocs       relative relocations packed (DT_RELR): 2 MB of tables the loader reads, now 16 kB
#   --no-export-dynamic           the executable's own symbols stay out of the dynamic symbol table
set -euo pipefail
cd "$(dirname "$0")/.."
# The ordering file is no input SwiftPM knows of: an executable linked before it changed is linked again (when
# this builds, not when it only prints the path).
if [[ " $* " != *" --show-bin-path "* ]]; then
    for executable in .build/release/taskwire .build/release/taskwire-bench; do
        if [ -e "$executable" ] && [ Scripts/taskwire.order -nt "$executable" ]; then rm -f "$executable"; fi
    done
fi
layout=(
    -Xswiftc -Xfrontend -Xswiftc -function-sections
    -Xswiftc -use-ld=lld
    -Xlinker "--symbol-ordering-file=$PWD/Scripts/taskwire.order" -Xlinker --no-warn-symbol-ordering
    -Xlinker -z -Xlinker pack-relative-relocs
    -Xlinker --no-export-dynamic
)
# Swift's Linux toolchains ship lld beside swift (that one, not another on PATH, whose version could lack an option);
# without it the binary is the same program, laid out by the default linker (about 5 MB more resident when idle).
toolchain="$(dirname "$(readlink -f "$(command -v swift)")")"
if [ ! -x "$toolchain/ld.lld" ]; then
    echo "build-release: no ld.lld in $toolchain; linking with the default linker" >&2
    layout=()
fi
exec swift build -c release --static-swift-stdlib "${layout[@]}" "$@"
