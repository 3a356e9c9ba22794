package connection_test

import (
	"net"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/worker"
)

func TestUdp(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		cases := []struct {
			name, socket string
			send, want   string
		}{
			{"raw udp answers each datagram", "udp://127.0.0.1:0", "xiami", "received: xiami"},
			{"text over udp answers each line of a datagram", "text://127.0.0.1:0", "a\nb\n", "received: a\n"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				w := worker.New(tc.socket)
				w.Transport = "udp"
				w.OnUdpMessage = func(c *connection.UdpConnection, data any) {
					var s string
					switch d := data.(type) {
					case []byte:
						s = string(d)
					case string:
						s = d
					}
					if c.RemoteIP() != "127.0.0.1" || c.RemotePort() == 0 {
						t.Errorf("sender %s:%d", c.RemoteIP(), c.RemotePort())
					}
					c.Send("received: " + s)
				}
				serve(t, w)
				nc, err := net.Dial("udp", w.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				defer nc.Close()
				buf := make([]byte, 100)
				// Datagrams may be lost in principle, so ask again until answered.
				for try := 0; ; try++ {
					nc.Write([]byte(tc.send))
					nc.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
					n, err := nc.Read(buf)
					if err == nil {
						if got := string(buf[:n]); got != tc.want {
							t.Fatalf("got %q, want %q", got, tc.want)
						}
						break
					}
					if try == 20 {
						t.Fatalf("no answer: %v", err)
					}
				}
			})
		}
	})
}
