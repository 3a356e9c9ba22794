//go:build unix

package worker

import (
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// systemd's two protocols, spoken without its library: service
// notifications (sd_notify(3)) to the datagram socket NOTIFY_SOCKET names,
// and socket activation (sd_listen_fds(3)), listening sockets passed from
// fd 3 on. The master takes both from its environment and removes them, so
// that no child takes systemd's messages or sockets for its own.

// notifier tells systemd how the service is doing; its zero value, outside
// systemd, says nothing.
type notifier struct {
	socket   string        // NOTIFY_SOCKET: a path, or an abstract name starting with '@'
	watchdog time.Duration // how often to ping: half of WATCHDOG_USEC; 0 for none
}

func takeNotifier() notifier {
	n := notifier{socket: os.Getenv("NOTIFY_SOCKET")}
	usec, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64)
	pid := os.Getenv("WATCHDOG_PID")
	if err == nil && usec > 0 && (pid == "" || pid == strconv.Itoa(os.Getpid())) {
		n.watchdog = time.Duration(usec) * time.Microsecond / 2
	}
	for _, k := range []string{"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"} {
		os.Unsetenv(k)
	}
	return n
}

// send sends one notification, its lines joined; systemd reads it whole, as
// one datagram. Go's net maps a leading '@' to the abstract namespace.
func (n notifier) send(lines ...string) {
	if n.socket == "" {
		return
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: n.socket, Net: "unixgram"})
	if err != nil {
		return
	}
	defer c.Close()
	c.Write([]byte(strings.Join(lines, "\n") + "\n"))
}

// ticks is the watchdog's clock, nil (never ready) when there is none.
func (n notifier) ticks() (<-chan time.Time, func()) {
	if n.socket == "" || n.watchdog == 0 {
		return nil, func() {}
	}
	t := time.NewTicker(n.watchdog)
	return t.C, t.Stop
}

// reloading is the RELOADING=1 notification with the CLOCK_MONOTONIC time
// that Type=notify-reload asks of it.
func reloading() []string {
	usec, ok := monotonicUsec()
	if !ok {
		return []string{"RELOADING=1"}
	}
	return []string{"RELOADING=1", "MONOTONIC_USEC=" + strconv.FormatInt(usec, 10)}
}

// activated is one listening socket that systemd passed.
type activated struct {
	f    *os.File
	name string   // its FileDescriptorName=, the socket unit's name by default
	addr net.Addr // nil when it is no socket Go can listen on
}

// takeActivated takes the sockets systemd passed this process, when
// LISTEN_PID names it, and marks them close-on-exec: children get theirs
// as any worker's socket.
func takeActivated() []activated {
	pid, n := os.Getenv("LISTEN_PID"), os.Getenv("LISTEN_FDS")
	names := strings.Split(os.Getenv("LISTEN_FDNAMES"), ":")
	for _, k := range []string{"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"} {
		os.Unsetenv(k)
	}
	count, err := strconv.Atoi(n)
	if pid != strconv.Itoa(os.Getpid()) || err != nil || count <= 0 {
		return nil
	}
	const first = 3 // SD_LISTEN_FDS_START
	as := make([]activated, count)
	for i := range as {
		fd := first + i
		unix.CloseOnExec(fd)
		a := activated{f: os.NewFile(uintptr(fd), "systemd socket "+strconv.Itoa(fd))}
		if i < len(names) {
			a.name = names[i]
		}
		if ln, err := net.FileListener(a.f); err == nil {
			a.addr = ln.Addr()
			ln.Close()
		} else if pc, err := net.FilePacketConn(a.f); err == nil {
			a.addr = pc.LocalAddr()
			pc.Close()
		}
		as[i] = a
	}
	return as
}

// pickActivated removes from as and returns the socket that is w's: the one
// named as w, else the one bound to w's address; nil when none is.
func pickActivated(as *[]activated, w *Worker) *os.File {
	match := func(ok func(a activated) bool) *os.File {
		for i, a := range *as {
			if a.addr != nil && a.addr.Network() == w.Transport && ok(a) {
				*as = append((*as)[:i], (*as)[i+1:]...)
				return a.f
			}
		}
		return nil
	}
	if w.Name != "" {
		if f := match(func(a activated) bool { return a.name == w.Name }); f != nil {
			return f
		}
	}
	return match(func(a activated) bool { return sameAddr(a.addr, w.Transport, w.address) })
}

// sameAddr reports whether addr is where a worker of transport asks to
// listen at address; any unspecified host matches any other.
func sameAddr(addr net.Addr, transport, address string) bool {
	var ip net.IP
	var port int
	switch a := addr.(type) {
	case *net.UnixAddr:
		return transport == "unix" && a.Name == address
	case *net.TCPAddr:
		ip, port = a.IP, a.Port
	case *net.UDPAddr:
		ip, port = a.IP, a.Port
	default:
		return false
	}
	host, p, err := net.SplitHostPort(address)
	if err != nil || p != strconv.Itoa(port) {
		return false
	}
	want := net.ParseIP(host)
	if host == "" || want != nil && want.IsUnspecified() {
		return ip == nil || ip.IsUnspecified()
	}
	return want.Equal(ip) // a host name matches nothing: name the socket instead
}
