// Package interop drives Workerman-Go's protocols with other Go libraries'
// clients and servers, which the root module does not require: gorilla/websocket
// with compression against the WebSocket server and client, and Prometheus's
// text parser reading the master's metrics.
package interop
