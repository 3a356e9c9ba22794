package http

import "bytes"

// maxMemoHead bounds the head a connection remembers: the heads that repeat
// (load generators, API clients, a browser's keep-alive requests) are short.
const maxMemoHead = 2 << 10

// headMemo is the last head a connection's framer found valid, with what it
// found. Keep-alive clients send the same head again and again, and checking
// a head depends on nothing but its bytes and the two limits, so a head equal
// to the remembered one needs no second check.
type headMemo struct {
	head                []byte // the head with its blank line; empty until one is remembered
	headLimit, pkgLimit int    // the limits it was checked against
	facts               headFacts
}

// recall reports whether buf starts with the remembered head, checked under
// the same limits, and if so sets *into to what checking it found. The head
// ends at its first blank line, so buf's head is then exactly that one.
func (m *headMemo) recall(buf []byte, headLimit, pkgLimit int, into *headFacts) bool {
	n := len(m.head)
	if n == 0 || len(buf) < n || headLimit != m.headLimit || pkgLimit != m.pkgLimit || !bytes.Equal(buf[:n], m.head) {
		return false
	}
	*into = m.facts
	return true
}

// remember keeps a head that was just found valid, unless it is too long to
// be worth keeping.
func (m *headMemo) remember(head []byte, headLimit, pkgLimit int, facts headFacts) {
	if len(head) > maxMemoHead {
		return
	}
	m.head = append(m.head[:0], head...)
	m.headLimit, m.pkgLimit, m.facts = headLimit, pkgLimit, facts
}
