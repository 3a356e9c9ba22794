// Package protocols defines how a byte stream becomes messages and messages
// become bytes, and keeps the registry of schemes that worker.New understands.
//
// A Protocol has three methods. Input looks at the bytes a connection has
// received and says how long the first whole package is (0: wait for more).
// Decode turns that package into the value OnMessage receives. Encode appends
// the wire form of whatever the application passed to Send.
//
// The built-in protocols live in sub-packages and register themselves:
// text (one message per line), frame (4-byte length prefix), http and
// websocket. Register a protocol of your own to use "myproto://host:port":
//
//	protocols.Register("myproto", myProto{})
//	w := worker.New("myproto://127.0.0.1:9000")
//
// Caveats:
//   - One protocol value serves every connection at once; keep per-connection
//     state with Conn.SetProtocolState, never in the protocol.
//   - Input runs on every read until a package is whole: make it cheap, and
//     have it fail early on input that can never become a valid package.
//   - The connection enforces MaxPackageSize on what Input returns, and on the
//     bytes it buffers while Input keeps answering 0.
package protocols
