// Package http is the HTTP/1.1 and HTTP/1.0 server protocol: worker.New
// ("http://0.0.0.0:8080") hands OnMessage a *Request, and Send takes a
// string or []byte (a 200 text/html response), a *Response, a *Chunk of a
// chunked response, or a *ServerSentEvents on an event stream.
//
//	w := worker.New("http://0.0.0.0:8080")
//	w.OnMessage = func(c *connection.TcpConnection, data any) {
//		req := data.(*http.Request)
//		c.Send("hello " + req.Get("name"))
//	}
//
// How a request travels: Input frames it on the raw bytes (fasthttp only
// parses whole input), checking the request line, every header line and the
// body framing (Content-Length or chunked) as RFC 9112 asks, and resuming
// where it stopped when a request arrives in many reads. fasthttp then parses
// the whole head without allocating; the query, form, cookies and uploads
// are parsed when the application first asks. A connection remembers its
// last valid head: keep-alive clients repeat theirs byte for byte, and a
// repeated head is neither checked nor parsed again. The examples are the best way
// in; docs/http.md is the manual page.
//
// Limits, each with a default (set them on a Protocol given to the worker):
//
//	head size     Protocol.HeaderLimit     16 KiB   431
//	request size  worker.MaxPackageSize    10 MiB   413
//	head time     Protocol.HeaderTimeout   20 s     408, then close (also for a connection that sends nothing)
//	body rate     Protocol.MinBodyRate     240 B/s  408, then close (after Protocol.BodyRateGrace, 5 s)
//	idle time     Protocol.IdleTimeout     60 s     close after a keep-alive wait; 408 for a body that
//	                                                stalls; a client that takes no output is dropped
//	requests      Protocol.MaxRequests     none     Connection: close on the last one
//	upload parts  MaxUploadParts           1024
//
// Caveats:
//   - A *Request is reused for its connection's next request: it is valid
//     until OnMessage returns. Its accessors return copies, so keep those.
//   - Its methods (and sessions) are loop-only; read what a goroutine needs
//     before starting it, then reply with c.Send from there.
//   - A request that can never be served (bad framing, smuggling attempts,
//     bare CR or LF, unknown versions) gets a short error response with
//     Connection: close and the connection ends; the reason is logged.
//   - Responses say Connection: keep-alive unless the request asked to close
//     (HTTP/1.0 without keep-alive, Connection: close) or the application set
//     Connection: close; then the connection closes after the response.
//   - Every Send on an HTTP connection is a response: c.Send("x") from
//     OnConnect writes a whole 200 response, as in Workerman.
//   - Session data is kept as JSON and saved before the response leaves and
//     again when the request ends; uploaded files are deleted when it ends.
//     The session store is called on the loop, which waits for it (a store
//     across the network bounds its calls); only its GC runs elsewhere.
//     SessionRegenerateID is the defence against session fixation.
//   - Query and Form give url.Values; QueryArray and PostArray read PHP
//     arrays (a[]=1, a[x]=1) as Workerman's get() and post() do.
package http
