package eventloop

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// listenPacketOn makes l read datagrams on a fresh loopback port.
func listenPacketOn(t *testing.T, l *Loop, onPacket func(pc *PacketConn, b []byte, from net.Addr)) *PacketConn {
	t.Helper()
	uc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	f, err := uc.File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var pc *PacketConn
	l.Exec(func() { pc, err = l.ListenPacket(f, onPacket) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Exec(pc.Close) })
	return pc
}

func TestDatagramsAreReadAndAnswered(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		var got []string
		pc := listenPacketOn(t, l, func(pc *PacketConn, b []byte, from net.Addr) {
			got = append(got, string(b))
			if _, ok := from.(*net.UDPAddr); !ok {
				t.Errorf("sender address is a %T, want *net.UDPAddr", from)
			}
			if err := pc.WriteTo(append(pc.Scratch(), b...), from); err != nil {
				t.Errorf("WriteTo: %v", err)
			}
		})
		if _, ok := pc.Addr().(*net.UDPAddr); !ok {
			t.Fatalf("socket address is a %T, want *net.UDPAddr", pc.Addr())
		}
		peer, err := net.DialUDP("udp", nil, pc.Addr().(*net.UDPAddr))
		if err != nil {
			t.Fatal(err)
		}
		defer peer.Close()
		peer.SetDeadline(time.Now().Add(30 * time.Second))
		peer.Write([]byte("ping"))
		buf := make([]byte, 64)
		n, err := peer.Read(buf)
		if err != nil || string(buf[:n]) != "ping" {
			t.Fatalf("answer %q, %v", buf[:n], err)
		}
		l.Exec(func() {
			if len(got) != 1 {
				t.Errorf("datagrams read: %q", got)
			}
			if err := pc.WriteTo([]byte("x"), &net.TCPAddr{}); err == nil {
				t.Error("WriteTo a TCP address succeeded")
			}
		})
	})
}

func TestAPausedPacketSocketReadsOnceResumed(t *testing.T) {
	backends(t, func(t *testing.T, l *Loop) {
		var got []string
		pc := listenPacketOn(t, l, func(_ *PacketConn, b []byte, _ net.Addr) { got = append(got, string(b)) })
		l.Exec(pc.Pause)
		peer, err := net.DialUDP("udp", nil, pc.Addr().(*net.UDPAddr))
		if err != nil {
			t.Fatal(err)
		}
		defer peer.Close()
		peer.Write([]byte("one"))
		l.Exec(func() {
			if len(got) != 0 {
				t.Errorf("a paused socket read %q", got)
			}
			pc.Resume()
		})
		eventually(t, l, "the datagram sent while paused", func() bool { return len(got) == 1 && got[0] == "one" })
		l.Exec(func() {
			pc.Close()
			if err := pc.WriteTo([]byte("x"), peer.LocalAddr()); !errors.Is(err, net.ErrClosed) {
				t.Errorf("WriteTo after Close: %v, want net.ErrClosed", err)
			}
		})
	})
}

func TestListenPacketOnALoopThatIsNotRunningFails(t *testing.T) {
	l := newLoop(DefaultBackend())
	if _, err := l.ListenPacket(os.Stdin, nil); !errors.Is(err, ErrStopped) {
		t.Fatalf("ListenPacket on a loop never started: %v, want ErrStopped", err)
	}
}
