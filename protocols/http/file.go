package http

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/workerman-go/workerman/protocols"
)

// fileBody is the file a Response sends as its body.
type fileBody struct {
	path           string
	offset, length int64
}

// WithFile makes the file at path the body. With offset or length set, only
// that part is sent, as 206 Partial Content with a Content-Range header
// (length 0: to the end of the file); a range starting past the end is answered
// 416. A path that is not a regular file makes the response a 404 at once.
//
// The head gets Content-Type from the file's extension (application/
// octet-stream and a Content-Disposition: attachment for unknown ones),
// Last-Modified, Accept-Ranges and Content-Length, unless set already. A large
// file is written a piece at a time as the peer reads, never more than
// MaxSendBufferSize ahead of it, and the file is open only while a piece is
// read. Send nothing else on the connection until the client has it all.
//
// Serving files from user-given paths is the application's job to confine:
// WithFile opens the path it is given.
func (r *Response) WithFile(path string, offset, length int64) *Response {
	r.body = ""
	r.setFile(nil)
	if info, err := os.Stat(path); err != nil || !info.Mode().IsRegular() {
		r.status = 404
		if r.more != nil {
			r.more.reason = ""
		}
		r.body = statusPageBody(404)
		return r
	}
	r.setFile(&fileBody{path: path, offset: max(offset, 0), length: max(length, 0)})
	return r
}

// filePiece is how much of a file one read takes while streaming.
const filePiece = 64 << 10

var piecePool = sync.Pool{New: func() any { b := make([]byte, filePiece); return &b }}

// encodeFile appends the head of a file response and as much of the file as
// the send buffer takes; the rest is written by a fileStream as it drains.
func (r *Response) encodeFile(dst []byte, c protocols.Conn, o encodeOpts) ([]byte, error) {
	fb := r.more.file
	f, err := os.Open(fb.path)
	if err != nil {
		slog.Warn("http: file response", "path", fb.path, "err", err)
		return appendStatusPage(dst, 404, o), nil
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return appendStatusPage(dst, 404, o), nil
	}
	size := info.Size()
	off, n := fb.offset, fb.length
	partial := off > 0 || n > 0
	if partial && off >= size {
		return appendStatusPage(dst, 416, o, field{"Content-Range", "bytes */" + strconv.FormatInt(size, 10)}), nil
	}
	if n == 0 || n > size-off {
		n = size - off
	}
	status := r.status
	if partial {
		status = 206
	}
	start := len(dst)
	dst, set := r.appendHead(dst, status, o)
	if set.contentType == "" {
		ct, known := mimeType(fb.path)
		dst = appendField(dst, "Content-Type", ct)
		if !known && r.Header("Content-Disposition") == "" {
			dst = appendAttachment(dst, filepath.Base(fb.path))
		}
	}
	if r.Header("Last-Modified") == "" {
		dst = append(dst, "Last-Modified: "...)
		dst = info.ModTime().UTC().AppendFormat(dst, timeFormat)
		dst = append(dst, "\r\n"...)
	}
	dst = append(dst, "Accept-Ranges: bytes\r\n"...)
	if partial {
		dst = fmt.Appendf(dst, "Content-Range: bytes %d-%d/%d\r\n", off, off+n-1, size)
	}
	dst = appendContentLength(dst, n)
	dst = append(dst, "\r\n"...)
	if o.head || n == 0 {
		return dst, nil
	}

	budget := int64(c.SendBufferLimit() - c.SendBufferSize() - (len(dst) - start))
	piece := min(n, max(budget, filePiece))
	dst = slices.Grow(dst, int(piece))
	m, err := f.ReadAt(dst[len(dst):len(dst)+int(piece)], off)
	if int64(m) < piece {
		slog.Warn("http: file response", "path", fb.path, "err", readErr(err))
		uncountStatus(status)
		return appendStatusPage(dst[:start], 500, o), nil
	}
	dst = dst[:len(dst)+int(piece)]
	if piece < n {
		s := &fileStream{c: c, path: fb.path, info: info, pos: off + piece, end: off + n, keepAlive: o.keepAlive && !r.closes()}
		s.nextFn = s.next
		r.more.stream = s
		c.NotifyDrain(s.nextFn)
	}
	return dst, nil
}

// timeFormat is the HTTP date format (RFC 9110 §5.6.7), for UTC times.
const timeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// appendAttachment appends a Content-Disposition that offers the file for
// download under its base name, minus what cannot sit in a quoted string.
func appendAttachment(dst []byte, name string) []byte {
	dst = append(dst, `Content-Disposition: attachment; filename="`...)
	for i := 0; i < len(name); i++ {
		if b := name[i]; b >= 0x20 && b != 0x7f && b != '"' && b != '\\' {
			dst = append(dst, b)
		}
	}
	return append(dst, "\"\r\n"...)
}

// fileStream writes the rest of a file body, one drained send buffer at a time.
type fileStream struct {
	c         protocols.Conn
	path      string
	info      os.FileInfo // the file as the head described it
	pos, end  int64
	keepAlive bool
	done      bool
	nextFn    func()
}

var errFileChanged = errors.New("file changed while being sent")

// next runs on the loop when the send buffer has drained: it reopens the file,
// queues pieces until the buffer is full again, and closes the file. Holding
// no descriptor between pieces means a connection that goes away mid-file
// leaves nothing open. A file replaced or changed meanwhile ends the response
// short (and the connection), never with bytes of another file.
func (s *fileStream) next() {
	f, err := os.Open(s.path)
	if err != nil {
		s.abandon(err)
		return
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !os.SameFile(info, s.info) ||
		info.Size() != s.info.Size() || !info.ModTime().Equal(s.info.ModTime()) {
		s.abandon(errFileChanged)
		return
	}
	bp := piecePool.Get().(*[]byte)
	defer piecePool.Put(bp)
	for s.pos < s.end && s.c.SendBufferSize() < s.c.SendBufferLimit() {
		b := (*bp)[:min(int64(len(*bp)), s.end-s.pos)]
		if m, err := f.ReadAt(b, s.pos); m < len(b) {
			s.abandon(readErr(err))
			return
		}
		if s.c.SendRaw(b) != nil {
			s.done = true // the connection is closing
			return
		}
		s.pos += int64(len(b))
	}
	if s.pos < s.end {
		s.c.NotifyDrain(s.nextFn)
		return
	}
	s.done = true
	if !s.keepAlive {
		s.c.Close()
		return
	}
	s.c.ResumeRecv()
}

// abandon ends a file response that cannot be completed: the peer gets what
// was sent so far, then the connection closes, so it sees the body is short.
func (s *fileStream) abandon(err error) {
	slog.Warn("http: file response cut short", "path", s.path, "sent", s.pos, "end", s.end, "err", err)
	s.done = true
	s.c.Close()
}

func readErr(err error) error {
	if err == nil || err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// statusPageBody is the small HTML body of a response the server makes up,
// "<h3>404 Not Found</h3>" as in Workerman.
func statusPageBody(status int) string {
	return "<h3>" + strconv.Itoa(status) + " " + reasonPhrases[status] + "</h3>"
}

// appendStatusPage appends a complete response of that status with its
// status page as the body.
func appendStatusPage(dst []byte, status int, o encodeOpts, headers ...field) []byte {
	r := &Response{status: status, headers: headers, body: statusPageBody(status)}
	dst, _ = r.encode(dst, nil, o)
	return dst
}
