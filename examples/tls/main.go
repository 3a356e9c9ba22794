// Command tls is the seed example over TLS: https://127.0.0.1:8443/ answers
// "ok", and a client that asks for text/event-stream gets an event every two
// seconds. The certificate and key come from the files named by TLS_CERT
// and TLS_KEY when both are set (renewed files are picked up, see
// docs/tls.md); otherwise a self-signed certificate for localhost and
// 127.0.0.1 is made at start (worker.SelfSignedTLS), which a browser
// trusts only once told to.
//
//	go run ./examples/tls start
//	curl -k https://127.0.0.1:8443/
//	curl -kN -H 'Accept: text/event-stream' https://127.0.0.1:8443/
package main

import (
	"crypto/tls"
	"log"
	"os"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/timer"
	"github.com/workerman-go/workerman/worker"
)

func main() {
	conf, err := tlsConfig()
	if err != nil {
		log.Fatal(err)
	}
	w := worker.New("http://0.0.0.0:8443")
	w.Transport, w.TLS = "ssl", conf
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		req := data.(*http.Request)
		if req.Header("accept") == "text/event-stream" {
			c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, "\r\n"))
			var id timer.ID
			id = timer.Add(2*time.Second, func() {
				if c.Status() != connection.StatusEstablished {
					timer.Del(id)
					return
				}
				c.Send(&http.ServerSentEvents{Event: "message", Data: "hello", ID: "1"})
			})
			return
		}
		c.Send("ok")
	}
	worker.RunAll()
}

// tlsConfig loads TLS_CERT and TLS_KEY, or makes a self-signed certificate.
func tlsConfig() (*tls.Config, error) {
	if cert, key := os.Getenv("TLS_CERT"), os.Getenv("TLS_KEY"); cert != "" && key != "" {
		return worker.LoadTLS(cert, key)
	}
	return worker.SelfSignedTLS("localhost", "127.0.0.1")
}
