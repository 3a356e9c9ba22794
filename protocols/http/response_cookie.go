package http

import "strconv"

// CookieOptions are the attributes of a cookie set with Response.Cookie.
type CookieOptions struct {
	// MaxAge is the cookie's lifetime in seconds. Zero leaves Max-Age out (a
	// session cookie); a negative value writes Max-Age=0, which deletes it.
	MaxAge   int
	Path     string
	Domain   string
	Secure   bool
	HTTPOnly bool
	// SameSite is "Strict", "Lax" or "None"; empty leaves it out.
	SameSite string
}

// Cookie adds a Set-Cookie header. The value is percent-encoded (every byte
// but letters, digits and -_.~), so it may hold anything; attributes follow in
// Workerman's order: Domain, Max-Age, Path, Secure, HttpOnly, SameSite. A name
// that is not a token, or an attribute holding ';' or a control character,
// would corrupt the header: such a cookie is left out.
func (r *Response) Cookie(name, value string, options ...CookieOptions) *Response {
	var o CookieOptions
	if len(options) > 0 {
		o = options[0]
	}
	if !ValidField(name, "") || !cookieAttr(o.Path) || !cookieAttr(o.Domain) || !cookieAttr(o.SameSite) {
		return r
	}
	b := make([]byte, 0, len(name)+len(value)*3+64)
	b = append(b, name...)
	b = append(b, '=')
	b = appendRawURLEncoded(b, value)
	if o.Domain != "" {
		b = append(b, "; Domain="...)
		b = append(b, o.Domain...)
	}
	if o.MaxAge != 0 {
		b = append(b, "; Max-Age="...)
		b = strconv.AppendInt(b, int64(max(o.MaxAge, 0)), 10)
	}
	if o.Path != "" {
		b = append(b, "; Path="...)
		b = append(b, o.Path...)
	}
	if o.Secure {
		b = append(b, "; Secure"...)
	}
	if o.HTTPOnly {
		b = append(b, "; HttpOnly"...)
	}
	if o.SameSite != "" {
		b = append(b, "; SameSite="...)
		b = append(b, o.SameSite...)
	}
	r.headers = append(r.headers, field{"Set-Cookie", string(b)})
	return r
}

func cookieAttr(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f || s[i] == ';' {
			return false
		}
	}
	return true
}

// appendRawURLEncoded percent-encodes s as RFC 3986 says for data (PHP's
// rawurlencode): unreserved bytes stay, every other byte becomes %XX.
func appendRawURLEncoded(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9', b == '-', b == '_', b == '.', b == '~':
			dst = append(dst, b)
		default:
			dst = append(dst, '%', hex[b>>4], hex[b&15])
		}
	}
	return dst
}
