// Package nettest holds what the socket tests of every package share: running
// a test once per event-loop backend, serving workers in the test process,
// dialling them, reading exact byte counts, waiting for a condition, and
// finding or skipping the real client programs (curl, Chromium, node) that
// `.ci/clients.sh` installs.
//
// Everything stops when its test ends: workers through t.Cleanup, client
// programs by their process group.
package nettest
