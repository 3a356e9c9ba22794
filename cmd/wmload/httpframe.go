package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
)

// The functions here find where HTTP/1.x responses end in a byte stream, the
// one thing a load generator must know about them. They never allocate: a
// run parses millions of responses on the same cores as the server.

// maxHeadSize bounds the status line and headers of a response.
const maxHeadSize = 64 << 10

var errNoLength = errors.New("response has neither Content-Length nor chunked framing, so its end cannot be found")

// A head is what wmload reads from a response's status line and headers.
type head struct {
	size          int   // bytes of status line and headers, blank line included
	status        int   // status code
	contentLength int64 // -1 when absent
	chunked       bool  // Transfer-Encoding: chunked
	close         bool  // the server closes the connection after this response
	eventStream   bool  // Content-Type: text/event-stream
}

// parseHead parses the head at the start of buf; a zero size means buf does
// not hold all of it yet.
func parseHead(buf []byte) (head, error) {
	end := bytes.Index(buf, []byte("\r\n\r\n"))
	if end < 0 {
		if len(buf) > maxHeadSize {
			return head{}, fmt.Errorf("response head exceeds %d bytes", maxHeadSize)
		}
		return head{}, nil
	}
	h := head{size: end + 4, contentLength: -1}
	lines := buf[:end+2]
	nl := bytes.IndexByte(lines, '\n')
	status := bytes.TrimSuffix(lines[:nl], []byte("\r"))
	// "HTTP/1.1 200 OK": the version, then three digits.
	if len(status) < 12 || !bytes.HasPrefix(status, []byte("HTTP/1.")) || status[8] != ' ' {
		return head{}, fmt.Errorf("response status line %q is not HTTP/1.x", truncate(status))
	}
	for _, c := range status[9:12] {
		if c < '0' || c > '9' {
			return head{}, fmt.Errorf("response status line %q has no status code", truncate(status))
		}
		h.status = h.status*10 + int(c-'0')
	}
	http10 := status[7] == '0'
	keepAlive := false
	for lines = lines[nl+1:]; len(lines) > 0; {
		nl = bytes.IndexByte(lines, '\n')
		line := bytes.TrimSuffix(lines[:nl], []byte("\r"))
		lines = lines[nl+1:]
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return head{}, fmt.Errorf("response header line %q has no name", truncate(line))
		}
		name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, ok := parseDecimal(value)
			if !ok {
				return head{}, fmt.Errorf("response Content-Length %q is not a number", truncate(value))
			}
			h.contentLength = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			h.chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			h.close = bytes.EqualFold(value, []byte("close"))
			keepAlive = bytes.EqualFold(value, []byte("keep-alive"))
		case bytes.EqualFold(name, []byte("Content-Type")):
			h.eventStream = bytes.HasPrefix(value, []byte("text/event-stream"))
		}
	}
	if http10 && !keepAlive {
		h.close = true
	}
	return h, nil
}

// parseResponse returns the head of the first response in buf and the
// response's whole length; a zero length means buf does not hold all of it.
func parseResponse(buf []byte) (head, int, error) {
	h, err := parseHead(buf)
	if err != nil || h.size == 0 {
		return h, 0, err
	}
	switch {
	case h.status < 200:
		return h, 0, fmt.Errorf("unexpected interim response %d to a GET", h.status)
	case h.status == 204 || h.status == 304:
		return h, h.size, nil
	case h.chunked:
		n, err := chunkedLength(buf[h.size:])
		if err != nil || n == 0 {
			return h, 0, err
		}
		return h, h.size + n, nil
	case h.contentLength >= 0:
		if int64(len(buf)-h.size) < h.contentLength {
			return h, 0, nil
		}
		return h, h.size + int(h.contentLength), nil
	}
	return h, 0, errNoLength
}

// chunkedLength returns the length of the chunked body at the start of b,
// trailers included (0: incomplete).
func chunkedLength(b []byte) (int, error) {
	var d chunkDecoder
	n := 0
	for !d.done() {
		used, _, err := d.next(b[n:])
		if err != nil || used == 0 {
			return 0, err
		}
		n += used
	}
	return n, nil
}

// A chunkDecoder walks chunked transfer coding a piece at a time, so that a
// body that arrives over many reads (an event stream) can be decoded as it
// comes.
type chunkDecoder struct {
	state chunkState
	left  int64 // data bytes left in the current chunk
}

type chunkState int

const (
	chunkSize chunkState = iota
	chunkData
	chunkDataEnd
	chunkTrailer
	chunkDone
)

const maxChunkLine = 4096

func (d *chunkDecoder) done() bool { return d.state == chunkDone }

// next consumes the framing or data at the start of b. It returns how many
// bytes it used (0: b is too short to go on) and, when they were chunk
// data, those bytes.
func (d *chunkDecoder) next(b []byte) (used int, data []byte, err error) {
	switch d.state {
	case chunkSize, chunkTrailer:
		nl := bytes.IndexByte(b, '\n')
		if nl < 0 {
			if len(b) > maxChunkLine {
				return 0, nil, fmt.Errorf("chunk line exceeds %d bytes", maxChunkLine)
			}
			return 0, nil, nil
		}
		line := bytes.TrimSuffix(b[:nl], []byte("\r"))
		if d.state == chunkTrailer {
			if len(line) == 0 {
				d.state = chunkDone
			}
			return nl + 1, nil, nil
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, ok := parseHex(bytes.TrimSpace(line))
		if !ok {
			return 0, nil, fmt.Errorf("chunk size %q is not hexadecimal", truncate(line))
		}
		d.left, d.state = size, chunkData
		if size == 0 {
			d.state = chunkTrailer
		}
		return nl + 1, nil, nil
	case chunkData:
		k := int(min(d.left, int64(len(b))))
		if k == 0 {
			return 0, nil, nil
		}
		if d.left -= int64(k); d.left == 0 {
			d.state = chunkDataEnd
		}
		return k, b[:k], nil
	case chunkDataEnd:
		switch {
		case len(b) >= 1 && b[0] == '\n':
			d.state = chunkSize
			return 1, nil, nil
		case len(b) >= 2 && b[0] == '\r' && b[1] == '\n':
			d.state = chunkSize
			return 2, nil, nil
		case len(b) == 0 || len(b) == 1 && b[0] == '\r':
			return 0, nil, nil
		}
		return 0, nil, errors.New("chunk data is not followed by CRLF")
	}
	return 0, nil, nil
}

// parseDecimal reads a non-negative decimal that fits an int64.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// parseHex reads a non-negative hexadecimal below 2^60.
func parseHex(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		n = n<<4 | int64(c)
	}
	return n, true
}

// truncate keeps error messages about hostile bytes short.
func truncate(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
