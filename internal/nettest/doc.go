// Package nettest holds what the socket tests of every package share: running
// a test once per event-loop backend, serving workers in the test process,
// dialling them, free loopback addresses, a SOCKS5 and HTTP CONNECT proxy,
// reading exact byte counts, waiting for a condition, building the programs
// end-to-end tests start (in this module and in cluster) and starting the
// examples, self-signed certificates for them, finding or skipping the real
// client programs (curl, Chromium, node) that `.ci/clients.sh` installs,
// driving a page in Chromium over the DevTools protocol, and saying at the end of a package's run which tests were skipped
// for want of one (Run, from TestMain).
//
// Everything stops when its test ends: workers through t.Cleanup, client
// programs by their process group.
package nettest
