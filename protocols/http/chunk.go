package http

import "strconv"

// Chunk is one piece of a chunked response body. Send a Response with a
// Transfer-Encoding: chunked header first (its body, if any, is the first
// chunk), then Chunks, then an empty Chunk to end the body:
//
//	c.Send(http.NewResponse(200, http.Header{"Transfer-Encoding": "chunked"}, ""))
//	c.Send(http.NewChunk("hello "))
//	c.Send(http.NewChunk("world"))
//	c.Send(http.NewChunk(""))
type Chunk struct{ data string }

// NewChunk makes a chunk of data; an empty one ends the body.
func NewChunk(data string) *Chunk { return &Chunk{data} }

// appendTo appends the chunk in chunked transfer coding.
func (ch *Chunk) appendTo(dst []byte) []byte {
	if ch.last() {
		return append(dst, "0\r\n\r\n"...)
	}
	return appendChunk(dst, ch.data)
}

// last reports whether this is the empty chunk that ends the body.
func (ch *Chunk) last() bool { return ch.data == "" }

// appendChunk appends one non-empty chunk: hex size, CRLF, data, CRLF.
func appendChunk(dst []byte, data string) []byte {
	dst = strconv.AppendUint(dst, uint64(len(data)), 16)
	dst = append(dst, "\r\n"...)
	dst = append(dst, data...)
	return append(dst, "\r\n"...)
}
