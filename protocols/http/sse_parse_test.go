package http

import (
	"strconv"
	"strings"
)

// sseBlock is one event as a WHATWG-conformant parser sees it: the buffers at
// the blank line that ends it (comments collected too, which browsers drop).
type sseBlock struct {
	Comment string
	Event   string
	ID      string
	Retry   int64 // -1: no valid retry field
	Data    string
}

// parseEventStream parses a text/event-stream body by the WHATWG HTML
// standard's rules ("Parsing an event stream" and "Interpreting an event
// stream"): lines end at CRLF, LF or CR; a line starting with ':' is a
// comment; otherwise field and value split at the first ':' with one leading
// space removed from the value; data lines append value+LF; an id holding NUL
// is ignored; retry counts only if all ASCII digits; a blank line ends the
// block and the trailing LF of the data buffer is dropped. The parser keeps
// no state across blocks but the last event ID, as a browser does, and
// returns the blocks and the bytes after the last blank line.
func parseEventStream(s string) (blocks []sseBlock, rest string) {
	cur := sseBlock{Retry: -1}
	var data, comments []string
	lastID := ""
	for {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			return blocks, s
		}
		line := s[:i]
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
		if line == "" {
			cur.ID = lastID
			cur.Comment = strings.Join(comments, "\n")
			if data != nil {
				cur.Data = strings.TrimSuffix(strings.Join(data, "\n")+"\n", "\n")
			}
			blocks = append(blocks, cur)
			cur, data, comments = sseBlock{Retry: -1}, nil, nil
			continue
		}
		name, value, found := strings.Cut(line, ":")
		if found {
			value = strings.TrimPrefix(value, " ")
		}
		switch name {
		case "":
			comments = append(comments, value)
		case "event":
			cur.Event = value
		case "data":
			data = append(data, value)
		case "id":
			if !strings.ContainsRune(value, 0) {
				lastID = value
			}
		case "retry":
			if n, err := strconv.ParseInt(value, 10, 64); err == nil && value != "" && strings.Trim(value, "0123456789") == "" {
				cur.Retry = n
			}
		}
	}
}
