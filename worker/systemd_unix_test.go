//go:build unix

package worker

import (
	"net"
	"os"
	"strconv"
	"testing"
	"time"
)

// Which of systemd's sockets is a worker's, by address: the host as the
// worker names it, an unspecified host for any other, never a host name.
func TestSameAddr(t *testing.T) {
	any4 := &net.TCPAddr{IP: net.IPv4zero, Port: 8080}
	any6 := &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}
	lo := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	for _, c := range []struct {
		addr      net.Addr
		transport string
		address   string
		want      bool
	}{
		{any4, "tcp", "0.0.0.0:8080", true},
		{any6, "tcp", "0.0.0.0:8080", true},
		{any6, "tcp", ":8080", true},
		{any4, "tcp", "[::]:8080", true},
		{lo, "tcp", "127.0.0.1:8080", true},
		{lo, "tcp", "0.0.0.0:8080", false},
		{any4, "tcp", "127.0.0.1:8080", false},
		{lo, "tcp", "127.0.0.2:8080", false},
		{lo, "tcp", "127.0.0.1:8081", false},
		{lo, "tcp", "localhost:8080", false},
		{&net.UDPAddr{IP: net.IPv4zero, Port: 53}, "udp", ":53", true},
		{&net.UnixAddr{Name: "/run/app.sock", Net: "unix"}, "unix", "/run/app.sock", true},
		{&net.UnixAddr{Name: "/run/app.sock", Net: "unix"}, "unix", "/run/other.sock", false},
		{&net.UnixAddr{Name: "/run/app.sock", Net: "unix"}, "tcp", "/run/app.sock", false},
	} {
		if got := sameAddr(c.addr, c.transport, c.address); got != c.want {
			t.Errorf("sameAddr(%v, %s, %q) = %v, want %v", c.addr, c.transport, c.address, got, c.want)
		}
	}
}

// The watchdog pings at half of WATCHDOG_USEC, and only in the process
// WATCHDOG_PID names (any process when it is unset); the variables are
// gone from the environment once read.
func TestTakeNotifier(t *testing.T) {
	for _, c := range []struct {
		pid  string
		want time.Duration
	}{
		{"", 500 * time.Millisecond},
		{strconv.Itoa(os.Getpid()), 500 * time.Millisecond},
		{"1", 0},
	} {
		t.Setenv("NOTIFY_SOCKET", "@test")
		t.Setenv("WATCHDOG_USEC", "1000000")
		t.Setenv("WATCHDOG_PID", c.pid)
		n := takeNotifier()
		if n.socket != "@test" || n.watchdog != c.want {
			t.Errorf("WATCHDOG_PID=%q: %+v, want pings every %s", c.pid, n, c.want)
		}
		for _, k := range []string{"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"} {
			if v, ok := os.LookupEnv(k); ok {
				t.Errorf("%s=%s left in the environment", k, v)
			}
		}
	}
}
