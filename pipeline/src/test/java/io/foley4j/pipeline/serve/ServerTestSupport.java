package io.foley4j.pipeline.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Multipart bodies, raw HTTP responses and JSON for the server tests. */
final class ServerTestSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String BOUNDARY = "----foley4j-test-7MA4YWxkTrZu0gW";

    private ServerTestSupport() {}

    /** Builds a multipart/form-data body. */
    static final class Form {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Form text(String name, String value) {
            head("Content-Disposition: form-data; name=\"" + name + "\"\r\n\r\n");
            out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
            out.writeBytes(crlf());
            return this;
        }

        Form file(String name, String filename, byte[] data) {
            head("Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename + "\"\r\n"
                    + "Content-Type: video/mp4\r\n\r\n");
            out.writeBytes(data);
            out.writeBytes(crlf());
            return this;
        }

        byte[] build() {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(out.toByteArray());
            b.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
            return b.toByteArray();
        }

        private void head(String h) {
            out.writeBytes(("--" + BOUNDARY + "\r\n" + h).getBytes(StandardCharsets.UTF_8));
        }

        private static byte[] crlf() {
            return new byte[] {'\r', '\n'};
        }
    }

    static String contentType() {
        return "multipart/form-data; boundary=" + BOUNDARY;
    }

    record RawResponse(int status, List<String> headers, byte[] body) {
        String header(String name) {
            for (String h : headers) {
                int c = h.indexOf(':');
                if (c > 0 && h.substring(0, c).trim().equalsIgnoreCase(name)) return h.substring(c + 1).trim();
            }
            return null;
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    /** Reads one HTTP/1.1 response with a Content-Length body. */
    static RawResponse readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0D0A0D0A) {   // CRLF CRLF ends the head
            int c = in.read();
            if (c < 0) throw new IOException("connection closed inside the response head: " + head);
            head.write(c);
            last4 = (last4 << 8) | c;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        List<String> headers = new ArrayList<>(List.of(lines).subList(1, lines.length));
        RawResponse r = new RawResponse(status, headers, new byte[0]);
        String len = r.header("Content-Length");
        byte[] body = len == null ? new byte[0] : in.readNBytes(Integer.parseInt(len));
        return new RawResponse(status, headers, body);
    }

    static String requestHead(int port, String extraHeaders) {
        return "POST /generate HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: " + contentType() + "\r\n"
                + extraHeaders + "\r\n";
    }

    static List<Path> listing(Path dir) throws IOException {
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    /** Waits up to 10 s for the directory to empty (jobs may end after their responses); returns what is left. */
    static List<Path> awaitEmpty(Path dir) throws IOException, InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        List<Path> left = listing(dir);
        while (!left.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(20);
            left = listing(dir);
        }
        return left;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
