package main

import (
	"bytes"
	"errors"
)

// maxHead bounds a request's line and headers, as most servers do.
const maxHead = 8192

var errBadRequest = errors.New("bad request")

// frame finds the first request in in: its length with the body (0 while
// incomplete) and whether the connection stays open after it. It reads only
// what framing needs: the version, Content-Length, Transfer-Encoding (which
// it refuses: a peer answering "ok" has no use for chunked bodies) and
// Connection.
func frame(in []byte) (n int, keepAlive bool, err error) {
	end := bytes.Index(in, []byte("\r\n\r\n"))
	if end < 0 {
		if len(in) > maxHead {
			return 0, false, errBadRequest
		}
		return 0, false, nil
	}
	if end > maxHead {
		return 0, false, errBadRequest
	}
	head := in[:end+2]
	eol := bytes.IndexByte(head, '\n')
	if eol < 1 || head[eol-1] != '\r' {
		return 0, false, errBadRequest
	}
	line := head[:eol-1]
	sp1 := bytes.IndexByte(line, ' ')
	sp2 := bytes.LastIndexByte(line, ' ')
	if sp1 <= 0 || sp2 <= sp1+1 || bytes.IndexByte(line[sp1+1:sp2], ' ') >= 0 {
		return 0, false, errBadRequest
	}
	switch string(line[sp2+1:]) {
	case "HTTP/1.1":
		keepAlive = true
	case "HTTP/1.0":
	default:
		return 0, false, errBadRequest
	}
	body := 0
	for rest := head[eol+1:]; len(rest) > 0; {
		eol = bytes.IndexByte(rest, '\n')
		if eol < 1 || rest[eol-1] != '\r' {
			return 0, false, errBadRequest
		}
		h := rest[:eol-1]
		rest = rest[eol+1:]
		colon := bytes.IndexByte(h, ':')
		if colon <= 0 {
			return 0, false, errBadRequest
		}
		name, value := h[:colon], bytes.TrimSpace(h[colon+1:])
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if body, err = contentLength(value); err != nil {
				return 0, false, err
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, false, errBadRequest
		case bytes.EqualFold(name, []byte("Connection")):
			switch {
			case bytes.EqualFold(value, []byte("close")):
				keepAlive = false
			case bytes.EqualFold(value, []byte("keep-alive")):
				keepAlive = true
			}
		}
	}
	n = end + 4 + body
	if n > len(in) {
		return 0, false, nil
	}
	return n, keepAlive, nil
}

func contentLength(v []byte) (int, error) {
	if len(v) == 0 || len(v) > 9 {
		return 0, errBadRequest
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, errBadRequest
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}
