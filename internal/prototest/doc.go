// Package prototest holds what the tests of protocols share: a Loop that
// runs nothing by itself, so that a test driving a protocol by hand (with a
// fake protocols.Conn, no socket) decides when posted work and timers run.
package prototest
