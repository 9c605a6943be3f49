import TaskwireRelay
import Testing

@Suite struct LocalRelayTests {
    @Test func isAlwaysConnectedAndCarriesNothing() async {
        let relay = LocalRelay()
        #expect(relay.kind == .local)
        #expect(relay.state == .connected)
        let probe = RelayProbe()
        probe.start(relay)
        relay.publish(Array("hello".utf8))
        #expect(relay.state == .connected)
        relay.stop()
        relay.stop()
        #expect(probe.messages.isEmpty)
        #expect(probe.stateChanges.isEmpty)
        #expect(relay.state == .connected)
    }
}
