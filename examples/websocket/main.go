// Command websocket is a chat: every message a client sends goes to every
// client connected to the worker. The same port serves the chat page.
//
//	go run ./examples/websocket start
//	open http://127.0.0.1:8081/ in two browser tabs
//
// CHAT_TLS=1 serves the page over https and the chat over wss, on the same
// port, as examples/tls does: with the certificate and key from the files
// named by TLS_CERT and TLS_KEY when both are set, else with a self-signed
// certificate for localhost and 127.0.0.1 made at start, which the browser
// asks to trust once. The page connects with wss:// when it came over https.
//
//	CHAT_TLS=1 go run ./examples/websocket start
//	open https://127.0.0.1:8081/
//
// The worker runs one process (Count 1): its connections are the whole room.
package main

import (
	"crypto/tls"
	_ "embed"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/protocols/websocket"
	"github.com/workerman-go/workerman/worker"
)

//go:embed index.html
var page string

func main() {
	w := worker.New("websocket://0.0.0.0:8081")
	w.Name = "chat"
	if os.Getenv("CHAT_TLS") == "1" {
		conf, err := tlsConfig()
		if err != nil {
			log.Fatal(err)
		}
		w.Transport, w.TLS = "ssl", conf
	}
	w.Protocol = &websocket.Protocol{
		// The page itself, on the port its WebSocket connects to.
		OnRequest: func(c protocols.Conn, req *http.Request) *http.Response {
			if req.Path() != "/" {
				return nil // 404
			}
			return http.NewResponse(200, nil, page)
		},
		OnWebSocketConnected: func(c protocols.Conn, req *http.Request) {
			broadcast(w, fmt.Sprintf("#%d joined", c.ID()))
		},
		// Browsers cannot ping; the server does, and drops the silent.
		PingInterval: 30 * time.Second,
	}
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		if text, ok := data.(string); ok {
			broadcast(w, fmt.Sprintf("#%d: %s", c.ID(), text))
		}
	}
	w.OnClose = func(c *connection.TcpConnection) {
		if websocket.IsOpen(c) { // not a page load
			broadcast(w, fmt.Sprintf("#%d left", c.ID()))
		}
	}
	worker.RunAll()
}

// broadcast sends text to every client of the worker whose handshake is done
// (a message sent to one still shaking hands would follow its 101).
func broadcast(w *worker.Worker, text string) {
	for _, c := range w.Connections() {
		if websocket.IsOpen(c) {
			c.Send(text)
		}
	}
}

// tlsConfig loads TLS_CERT and TLS_KEY, or makes a self-signed certificate.
func tlsConfig() (*tls.Config, error) {
	if cert, key := os.Getenv("TLS_CERT"), os.Getenv("TLS_KEY"); cert != "" && key != "" {
		return worker.LoadTLS(cert, key)
	}
	return worker.SelfSignedTLS("localhost", "127.0.0.1")
}
