// Package streampb is pwemu's gRPC contract for event streaming (package
// pwemu.eventstream.v1): the eventstream.proto file, the Go code generated from it and
// the conversions between its Event and catalog.Event (convert.go).
// pwemu is the client of EventStream.Stream; a receiver implements the server.
//
// Regenerate after editing the .proto (protoc, protoc-gen-go and protoc-gen-go-grpc on
// PATH) with `go generate ./emulator/streampb`.
package streampb

//go:generate protoc --proto_path=. --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative eventstream.proto
