package text_test

import (
	"fmt"

	"github.com/workerman-go/workerman/protocols/text"
)

// What the loop does with the text protocol: Input finds where the first
// line ends, Decode hands OnMessage the line, Encode writes a reply.
func Example() {
	p := text.Protocol{}
	buf := []byte("hello\r\nwor")

	n, _ := p.Input(buf, roomy)
	msg, _ := p.Decode(buf[:n], roomy)
	fmt.Printf("package of %d bytes: %q\n", n, msg)

	rest, _ := p.Input(buf[n:], roomy)
	fmt.Println("the rest needs more bytes:", rest == 0)

	out, _ := p.Encode(nil, "hi", roomy)
	fmt.Printf("reply on the wire: %q\n", out)
	// Output:
	// package of 7 bytes: "hello"
	// the rest needs more bytes: true
	// reply on the wire: "hi\n"
}
