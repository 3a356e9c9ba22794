package http

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/valyala/fasthttp"
)

// MaxUploadParts caps the parts (fields and files) of a multipart body.
const MaxUploadParts = 1024

// Request is one HTTP request, as OnMessage receives it. fasthttp parses its
// head; the query, form, cookies and uploads are parsed on first use.
//
// Every accessor returns a copy: a string a callback keeps stays valid. The
// *Request itself is reused for the connection's next request, or for
// another connection's once an event stream no longer needs it, so it is
// valid until OnMessage returns; keep the values you need, not the Request. Its methods are loop-only: read
// what a goroutine needs before starting it.
//
// When the request ends (OnMessage has returned), its session is saved if it
// changed and its uploaded files are removed.
type Request struct {
	st   *connState
	h    fasthttp.RequestHeader
	head []byte
	body []byte

	// hFresh says h is exactly what parsing head gives: a request with the
	// same head can reuse it. Reading cookies changes h (fasthttp moves the
	// Cookie fields aside), so the accessors that do clear it.
	hFresh bool

	queryDone bool
	query     fasthttp.Args
	postDone  bool
	form      url.Values
	json      map[string]json.RawMessage
	files     map[string]*UploadedFile

	session   *Session
	finishing bool // an end-of-request task is queued
	finishFn  func()
}

// UploadedFile is a file sent in a multipart/form-data body. Its temporary
// copy is removed when the request ends: move or copy it before that.
type UploadedFile struct {
	Name    string // the file name the client gave
	TmpName string // the path of the temporary copy
	Size    int64
	Type    string // the part's Content-Type
}

// headReader feeds a whole head to fasthttp without allocating: a bufio.Reader
// reset onto a bytes.Reader over exactly the head.
type headReader struct {
	src bytes.Reader
	buf *bufio.Reader
}

var headReaders = sync.Pool{New: func() any {
	hr := &headReader{}
	hr.buf = bufio.NewReaderSize(&hr.src, DefaultHeaderLimit)
	return hr
}}

// load takes a whole request framed by f. Everything derived from the last
// request is dropped here or in finish, except the parsed head when this
// request's head is the same bytes: parsing is a pure function of them.
func (r *Request) load(pkg []byte, f *framer) error {
	head := pkg[:f.headLen]
	if f.chunked {
		r.body = dechunk(r.body[:0], pkg[f.headLen:])
	} else {
		r.body = append(r.body[:0], pkg[f.headLen:f.headLen+f.cl]...)
	}
	r.queryDone, r.postDone = false, false
	r.form, r.json, r.files = nil, nil, nil
	if r.hFresh && bytes.Equal(head, r.head) {
		return nil
	}
	r.head = append(r.head[:0], head...)
	r.hFresh = false
	if err := r.parseHead(); err != nil {
		return err
	}
	r.hFresh = true
	return nil
}

// parseHead has fasthttp parse r.head into r.h.
func (r *Request) parseHead() error {
	hr := headReaders.Get().(*headReader)
	defer headReaders.Put(hr)
	hr.src.Reset(r.head)
	br := hr.buf
	if len(r.head) > br.Size() {
		br = bufio.NewReaderSize(&hr.src, len(r.head))
	} else {
		br.Reset(&hr.src)
	}
	if err := r.h.Read(br); err != nil {
		return fmt.Errorf("http: parsing the request head: %w", err)
	}
	return nil
}

// finish ends the request: its session is saved and its uploads removed.
func (r *Request) finish() {
	r.saveSession()
	r.session = nil
	if len(r.files) > 0 { // ranging over even an empty map costs an iterator
		for _, f := range r.files {
			if err := os.Remove(f.TmpName); err != nil && !os.IsNotExist(err) {
				slog.Warn("workerman: removing an uploaded file", "path", f.TmpName, "err", err)
			}
		}
		r.files = nil
	}
	if cap(r.body) > maxKeptBody {
		r.body = nil
	}
}

// maxKeptBody is the largest body buffer a connection keeps for its next request.
const maxKeptBody = 64 << 10

// finishLater has the loop finish the request once the callback that is
// running (OnMessage) returns: a task posted now runs after it.
func (r *Request) finishLater() {
	if r.finishing {
		return
	}
	if r.finishFn == nil {
		r.finishFn = func() {
			r.finishing = false
			r.finish()
		}
	}
	r.finishing = true
	r.st.c.Loop().Post(r.finishFn)
}

// Method is the request method, e.g. "GET".
func (r *Request) Method() string {
	m := r.h.Method()
	switch string(m) { // the common ones without a copy
	case "GET":
		return "GET"
	case "POST":
		return "POST"
	case "HEAD":
		return "HEAD"
	case "PUT":
		return "PUT"
	case "DELETE":
		return "DELETE"
	case "OPTIONS":
		return "OPTIONS"
	case "PATCH":
		return "PATCH"
	}
	return string(m)
}

// URI is the request target as sent, e.g. "/search?q=go".
func (r *Request) URI() string { return string(r.h.RequestURI()) }

// Path is the path of the request target, not decoded ("/" when it has none).
func (r *Request) Path() string {
	u := r.h.RequestURI()
	if i := bytes.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	if _, rest, ok := bytes.Cut(u, []byte("://")); ok && !bytes.HasPrefix(u, []byte("/")) {
		if i := bytes.IndexByte(rest, '/'); i >= 0 {
			return string(rest[i:])
		}
		return "/"
	}
	if len(u) == 0 {
		return "/"
	}
	return string(u)
}

// QueryString is the part of the target after "?", not decoded.
func (r *Request) QueryString() string {
	u := r.h.RequestURI()
	_, q, ok := bytes.Cut(u, []byte("?"))
	if !ok {
		return ""
	}
	if i := bytes.IndexByte(q, '#'); i >= 0 {
		q = q[:i]
	}
	return string(q)
}

// ProtocolVersion is "1.1" or "1.0".
func (r *Request) ProtocolVersion() string {
	if r.h.IsHTTP11() {
		return "1.1"
	}
	return "1.0"
}

// Host is the Host header, port included when the client sent one.
func (r *Request) Host() string { return string(r.h.Host()) }

// Hostname is Host without its port (and without the brackets of an IPv6 address).
func (r *Request) Hostname() string {
	h := string(r.h.Host())
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
}

// Header returns a header field by case-insensitive name ("" when absent);
// several fields of one name are joined with ", ".
func (r *Request) Header(name string) string {
	vs := r.h.PeekAll(name)
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return commonValue(vs[0])
	}
	return string(bytes.Join(vs, []byte(", ")))
}

// commonValue is v as a string, without a copy for the values that
// programs compare headers with most: an event stream's Accept among them,
// read once by every stream.
func commonValue(v []byte) string {
	switch string(v) {
	case "text/event-stream":
		return "text/event-stream"
	case "keep-alive":
		return "keep-alive"
	case "close":
		return "close"
	case "websocket":
		return "websocket"
	case "Upgrade":
		return "Upgrade"
	case "no-cache":
		return "no-cache"
	case "*/*":
		return "*/*"
	}
	return string(v)
}

// Headers returns every header field by lower-case name, fields of one name
// joined with ", ".
func (r *Request) Headers() map[string]string {
	r.hFresh = false // listing the fields collects the cookies
	m := make(map[string]string, r.h.Len())
	for k, v := range r.h.All() {
		name := strings.ToLower(string(k))
		if old, ok := m[name]; ok {
			m[name] = old + ", " + string(v)
		} else {
			m[name] = string(v)
		}
	}
	return m
}

// LastEventID is the Last-Event-ID header an EventSource sends when it
// reconnects to an event stream.
func (r *Request) LastEventID() string { return r.Header("Last-Event-ID") }

// Cookie returns a cookie's value as sent ("" when absent).
func (r *Request) Cookie(name string) string {
	r.hFresh = false
	return string(r.h.Cookie(name))
}

// Cookies returns every cookie by name.
func (r *Request) Cookies() map[string]string {
	r.hFresh = false
	m := map[string]string{}
	for k, v := range r.h.Cookies() {
		m[string(k)] = string(v)
	}
	return m
}

// Get returns the first value of a query parameter, decoded ("" when absent).
func (r *Request) Get(name string) string {
	r.parseQuery()
	return string(r.query.Peek(name))
}

// Query returns every query parameter, decoded.
func (r *Request) Query() url.Values {
	r.parseQuery()
	v := url.Values{}
	for k, val := range r.query.All() {
		v.Add(string(k), string(val))
	}
	return v
}

func (r *Request) parseQuery() {
	if !r.queryDone {
		r.queryDone = true
		u := r.h.RequestURI()
		_, q, _ := bytes.Cut(u, []byte("?"))
		if i := bytes.IndexByte(q, '#'); i >= 0 {
			q = q[:i]
		}
		r.query.ParseBytes(q)
	}
}

// Post returns the first value of a body field ("" when absent). The body may
// be application/x-www-form-urlencoded, multipart/form-data, or a JSON
// object, whose top-level members count as fields (a string member as its
// text, any other as its JSON).
func (r *Request) Post(name string) string {
	r.parsePost()
	if r.json != nil {
		raw, ok := r.json[name]
		if !ok {
			return ""
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return string(raw)
	}
	return r.form.Get(name)
}

// Form returns every field of a form body (urlencoded or multipart).
func (r *Request) Form() url.Values {
	r.parsePost()
	v := url.Values{}
	for k, vs := range r.form {
		v[k] = append([]string(nil), vs...)
	}
	return v
}

// JSON decodes a JSON body into v.
func (r *Request) JSON(v any) error { return json.Unmarshal(r.body, v) }

// File returns the file uploaded under a form field name, nil when there is none.
func (r *Request) File(name string) *UploadedFile {
	r.parsePost()
	return r.files[name]
}

// Files returns every uploaded file by form field name.
func (r *Request) Files() map[string]*UploadedFile {
	r.parsePost()
	m := make(map[string]*UploadedFile, len(r.files))
	for k, f := range r.files {
		m[k] = f
	}
	return m
}

func (r *Request) parsePost() {
	if r.postDone {
		return
	}
	r.postDone = true
	r.form = url.Values{}
	ct := string(r.h.ContentType())
	mt, params, _ := mime.ParseMediaType(ct)
	switch {
	case strings.HasPrefix(mt, "multipart/") && params["boundary"] != "":
		if err := r.parseMultipart(params["boundary"]); err != nil {
			slog.Warn("workerman: reading a multipart body", "err", err)
		}
	case strings.Contains(mt, "json"):
		if err := json.Unmarshal(r.body, &r.json); err != nil {
			r.json = nil
		}
	default:
		var a fasthttp.Args
		a.ParseBytes(r.body)
		for k, v := range a.All() {
			r.form.Add(string(k), string(v))
		}
	}
}

func (r *Request) parseMultipart(boundary string) error {
	mr := multipart.NewReader(bytes.NewReader(r.body), boundary)
	for n := 0; n < MaxUploadParts; n++ {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := part.FormName()
		if part.FileName() == "" {
			b, err := io.ReadAll(part)
			if err != nil {
				return err
			}
			r.form.Add(name, string(b))
			continue
		}
		if err := r.saveUpload(name, part); err != nil {
			return err
		}
	}
	return fmt.Errorf("more than %d parts", MaxUploadParts)
}

func (r *Request) saveUpload(field string, part *multipart.Part) error {
	if r.files == nil {
		r.files = map[string]*UploadedFile{}
	}
	if _, dup := r.files[field]; dup {
		return nil
	}
	dir := r.st.p.UploadDir
	if dir == "" {
		dir = os.TempDir()
	}
	tmp, err := os.CreateTemp(dir, "workerman.upload.")
	if err != nil {
		return err
	}
	r.files[field] = &UploadedFile{Name: part.FileName(), TmpName: tmp.Name(), Type: part.Header.Get("Content-Type")}
	r.finishLater()
	n, err := io.Copy(tmp, part)
	r.files[field].Size = n
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	return err
}

// RawHead is the request line and header fields as received, with the blank
// line that ends them.
func (r *Request) RawHead() string { return string(r.head) }

// RawBody is the body as received (de-chunked when it came chunked).
func (r *Request) RawBody() string { return string(r.body) }
