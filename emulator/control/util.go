package control

import "bytes"

func skipSpace(b []byte) []byte { return bytes.TrimLeft(b, " \t\r\n") }

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
