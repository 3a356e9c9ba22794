package http

import (
	"path/filepath"
	"strings"
)

// mimeTypes maps lower-case file extensions to the Content-Type a file
// response gets. A fixed table, so that a response does not depend on the
// host's /etc/mime.types.
var mimeTypes = map[string]string{
	"7z":          "application/x-7z-compressed",
	"aac":         "audio/aac",
	"apng":        "image/apng",
	"avi":         "video/x-msvideo",
	"avif":        "image/avif",
	"bmp":         "image/bmp",
	"bz2":         "application/x-bzip2",
	"css":         "text/css",
	"csv":         "text/csv",
	"doc":         "application/msword",
	"docx":        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"eot":         "application/vnd.ms-fontobject",
	"epub":        "application/epub+zip",
	"flac":        "audio/flac",
	"gif":         "image/gif",
	"gz":          "application/gzip",
	"htm":         "text/html",
	"html":        "text/html",
	"ico":         "image/x-icon",
	"ics":         "text/calendar",
	"jar":         "application/java-archive",
	"jpeg":        "image/jpeg",
	"jpg":         "image/jpeg",
	"js":          "text/javascript",
	"json":        "application/json",
	"jsonld":      "application/ld+json",
	"m4a":         "audio/mp4",
	"m4v":         "video/mp4",
	"map":         "application/json",
	"md":          "text/markdown",
	"mid":         "audio/midi",
	"midi":        "audio/midi",
	"mjs":         "text/javascript",
	"mkv":         "video/x-matroska",
	"mov":         "video/quicktime",
	"mp3":         "audio/mpeg",
	"mp4":         "video/mp4",
	"mpeg":        "video/mpeg",
	"odp":         "application/vnd.oasis.opendocument.presentation",
	"ods":         "application/vnd.oasis.opendocument.spreadsheet",
	"odt":         "application/vnd.oasis.opendocument.text",
	"oga":         "audio/ogg",
	"ogg":         "audio/ogg",
	"ogv":         "video/ogg",
	"opus":        "audio/opus",
	"otf":         "font/otf",
	"pdf":         "application/pdf",
	"png":         "image/png",
	"ppt":         "application/vnd.ms-powerpoint",
	"pptx":        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"rar":         "application/vnd.rar",
	"rtf":         "application/rtf",
	"svg":         "image/svg+xml",
	"tar":         "application/x-tar",
	"tif":         "image/tiff",
	"tiff":        "image/tiff",
	"ts":          "video/mp2t",
	"ttf":         "font/ttf",
	"txt":         "text/plain",
	"vtt":         "text/vtt",
	"wasm":        "application/wasm",
	"wav":         "audio/wav",
	"weba":        "audio/webm",
	"webm":        "video/webm",
	"webmanifest": "application/manifest+json",
	"webp":        "image/webp",
	"woff":        "font/woff",
	"woff2":       "font/woff2",
	"xhtml":       "application/xhtml+xml",
	"xls":         "application/vnd.ms-excel",
	"xlsx":        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"xml":         "application/xml",
	"xz":          "application/x-xz",
	"yaml":        "application/yaml",
	"yml":         "application/yaml",
	"zip":         "application/zip",
}

// mimeType is the Content-Type for a file by its extension, and whether the
// extension is known (else application/octet-stream).
func mimeType(path string) (string, bool) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if t, ok := mimeTypes[ext]; ok {
		return t, true
	}
	return "application/octet-stream", false
}
