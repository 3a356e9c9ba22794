// Command chat is a chat room spread over four processes: every text message
// any client sends reaches every connected client, the sender included,
// whichever process holds it. The same port serves the chat page.
//
//	cd cluster && go run ./examples/chat start
//	open http://127.0.0.1:8081/ in two browser tabs
//
// CHAT_LISTEN=127.0.0.1:9081 listens there instead, so that two instances
// can run side by side as two machines of one cluster (docs/cluster.md).
//
// CHAT_TLS=1 serves the page over https and the chat over wss, as
// examples/websocket does: with the certificate and key from the files named
// by TLS_CERT and TLS_KEY when both are set, else with a self-signed
// certificate for localhost and 127.0.0.1 that the master makes at start and
// all four processes serve, so that a browser trusts it once.
//
//	cd cluster && CHAT_TLS=1 go run ./examples/chat start
//	open https://127.0.0.1:8081/
package main

import (
	"crypto/tls"
	_ "embed"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/workerman-go/workerman/cluster"
	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/protocols/websocket"
	"github.com/workerman-go/workerman/worker"
)

//go:embed index.html
var page string

func main() {
	listen := os.Getenv("CHAT_LISTEN")
	if listen == "" {
		listen = "0.0.0.0:8081"
	}
	w := worker.New("websocket://" + listen)
	w.Name = "chat"
	w.Count = 4
	if os.Getenv("CHAT_TLS") == "1" {
		conf, err := tlsConfig()
		if err != nil {
			log.Fatal(err)
		}
		w.Transport, w.TLS = "ssl", conf
	}
	cluster.Gateway(w) // SendToAll reaches this worker's clients in every process
	w.Protocol = &websocket.Protocol{
		OnRequest: func(c protocols.Conn, req *http.Request) *http.Response {
			if req.Path() != "/" {
				return nil // 404
			}
			return http.NewResponse(200, nil, page)
		},
		OnWebSocketConnected: func(c protocols.Conn, req *http.Request) {
			cluster.SendToAll(name(c.ID()) + " joined")
		},
		PingInterval: 30 * time.Second,
	}
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		if text, ok := data.(string); ok {
			cluster.SendToAll(name(c.ID()) + ": " + text)
		}
	}
	w.OnClose = func(c *connection.TcpConnection) {
		if websocket.IsOpen(c) { // not a page load
			cluster.SendToAll(name(c.ID()) + " left")
		}
	}
	worker.RunAll()
}

// name is how the room calls a client: the pid of its process and its
// number there.
func name(id uint64) string { return fmt.Sprintf("#%d.%d", os.Getpid(), id) }

// tlsConfig loads TLS_CERT and TLS_KEY, or makes a self-signed certificate.
func tlsConfig() (*tls.Config, error) {
	if cert, key := os.Getenv("TLS_CERT"), os.Getenv("TLS_KEY"); cert != "" && key != "" {
		return worker.LoadTLS(cert, key)
	}
	return worker.SelfSignedTLS("localhost", "127.0.0.1")
}
