package main

import "bytes"

// An eventParser reads an event stream as EventSource does (WHATWG HTML,
// "Server-sent events", the event stream interpretation): lines end in CR,
// LF or CRLF, a line starting with a colon is a comment, a blank line
// dispatches the event, and an event with no data field is not dispatched.
// It keeps only what wmload needs: whether the event had data, and the
// server's send time when the data starts with "ts=" and a Unix time in
// nanoseconds.
type eventParser struct {
	hasData bool
	stamp   int64
	stamped bool
	started bool // a leading byte order mark has been dealt with
}

// feed parses the complete lines at the start of b, calls emit for each
// dispatched event, and returns how many bytes it used. A CR at the very end
// of b is left for the next call, which shows whether an LF follows it.
func (p *eventParser) feed(b []byte, emit func(stamp int64, stamped bool)) int {
	used := 0
	if !p.started {
		if len(b) < 3 && bytes.HasPrefix([]byte("\xEF\xBB\xBF"), b) {
			return 0
		}
		p.started = true
		if bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
			used = 3
		}
	}
	for {
		rest := b[used:]
		end := bytes.IndexAny(rest, "\r\n")
		if end < 0 {
			return used
		}
		next := end + 1
		if rest[end] == '\r' {
			if next == len(rest) {
				return used
			}
			if rest[next] == '\n' {
				next++
			}
		}
		p.line(rest[:end], emit)
		used += next
	}
}

func (p *eventParser) line(l []byte, emit func(int64, bool)) {
	if len(l) == 0 {
		if p.hasData {
			emit(p.stamp, p.stamped)
		}
		p.hasData, p.stamped, p.stamp = false, false, 0
		return
	}
	if l[0] == ':' {
		return
	}
	name, value := l, []byte(nil)
	if i := bytes.IndexByte(l, ':'); i >= 0 {
		name, value = l[:i], l[i+1:]
		value = bytes.TrimPrefix(value, []byte(" "))
	}
	if string(name) != "data" {
		return
	}
	if !p.hasData {
		p.stamp, p.stamped = parseStamp(value)
	}
	p.hasData = true
}

// parseStamp reads "ts=<Unix nanoseconds>" at the start of an event's data.
func parseStamp(v []byte) (int64, bool) {
	digits, ok := bytes.CutPrefix(v, []byte("ts="))
	if !ok {
		return 0, false
	}
	end := 0
	for end < len(digits) && digits[end] >= '0' && digits[end] <= '9' {
		end++
	}
	return parseDecimal(digits[:end])
}
