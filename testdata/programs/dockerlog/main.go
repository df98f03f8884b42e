// Command dockerlog writes standard input as Docker's json-file logging
// driver stores a container's output (there is no Docker daemon where the
// fixtures are made, so this re-encodes it the same way): one JSON object per
// line of output,
//
//	{"log":"goroutine 1 [running]:\n","stream":"stderr","time":"2026-12-06T03:40:32.123456789Z"}
//
// with the line's own "\n" inside "log". Like the daemon, it cuts a line
// longer than 16 KiB into entries of 16 KiB whose "log" has no "\n" (partial
// messages; the last piece has it), and escapes as its encoder does: `"`
// and `\` with a backslash, \n \r \t, other control bytes and the HTML
// characters < > & as \u00XX, U+2028/U+2029 as \u2028/\u2029, and invalid
// UTF-8 as \ufffd. regen pipes `go test` output through it for *_docker
// captures.
package main

import (
	"bufio"
	"flag"
	"io"
	"os"
	"time"
	"unicode/utf8"
)

// The daemon's buffer for one message (daemon/logger/copier.go: 16 KiB).
const maxMessage = 16 * 1024

const hex = "0123456789abcdef"

func writeString(out *bufio.Writer, s []byte) {
	out.WriteByte('"')
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			switch {
			case b == '"' || b == '\\':
				out.WriteByte('\\')
				out.WriteByte(b)
			case b == '\n':
				out.WriteString(`\n`)
			case b == '\r':
				out.WriteString(`\r`)
			case b == '\t':
				out.WriteString(`\t`)
			case b < 0x20 || b == '<' || b == '>' || b == '&':
				out.WriteString(`\u00`)
				out.WriteByte(hex[b>>4])
				out.WriteByte(hex[b&0xF])
			default:
				out.WriteByte(b)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			out.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029':
			out.WriteString(`\u202`)
			out.WriteByte(hex[r&0xF])
		default:
			out.Write(s[i : i+size])
		}
		i += size
	}
	out.WriteByte('"')
}

func main() {
	stream := flag.String("stream", "stdout", "the stream name written in each entry")
	flag.Parse()
	in := bufio.NewReaderSize(os.Stdin, 2*maxMessage)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	var pending []byte
	emit := func(msg []byte) {
		out.WriteString(`{"log":`)
		writeString(out, msg)
		out.WriteString(`,"stream":"` + *stream + `","time":"`)
		out.WriteString(time.Now().UTC().Format(time.RFC3339Nano))
		out.WriteString("\"}\n")
	}
	for {
		line, err := in.ReadBytes('\n')
		pending = append(pending, line...)
		for len(pending) > maxMessage {
			emit(pending[:maxMessage])
			pending = pending[maxMessage:]
		}
		if len(pending) > 0 && (pending[len(pending)-1] == '\n' || err != nil) {
			emit(pending)
			pending = pending[:0]
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			os.Stderr.WriteString("dockerlog: " + err.Error() + "\n")
			os.Exit(1)
		}
	}
}
