package io.foley4j.pipeline.serve;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Streaming multipart/form-data reader (RFC 7578 over RFC 2046): one fixed buffer, part bodies are handed out as they
 * arrive, so an upload of any size passes through without sitting in memory. A body ends at the delimiter
 * {@code CRLF "--" boundary}; the reader only hands out bytes that cannot be the start of a delimiter split across two
 * reads (it keeps the last {@code delimiter.length - 1} bytes back until more arrive). The preamble before the first
 * boundary and the epilogue after the closing one are ignored; anything else malformed is a {@link MultipartException}.
 * Use: {@code while ((h = r.next()) != null) { read h's body with r.read(...) until -1 }}.
 */
final class MultipartReader {
    /** The headers of one part that the form needs. */
    record Part(String name, String filename, String contentType) {}

    private enum State { BODY, AFTER_DELIMITER, DONE }

    private final InputStream in;
    private final byte[] delimiter;   // CRLF "--" boundary
    private final int maxHeaderBytes, maxParts;
    private final byte[] buf;
    private int pos, lim, parts;
    private boolean eof;
    private State state = State.BODY;  // the preamble is read (and dropped) like a body

    MultipartReader(InputStream in, String boundary, int bufferBytes, int maxHeaderBytes, int maxParts) {
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            throw new IllegalArgumentException("MultipartReader: boundary of " + (boundary == null ? 0 : boundary.length())
                    + " characters is outside [1, 70]");
        }
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        if (bufferBytes < 2 * delimiter.length + 4 || bufferBytes < maxHeaderBytes + 4) {
            throw new IllegalArgumentException("MultipartReader: buffer of " + bufferBytes + " bytes is too small for boundary '"
                    + boundary + "'");
        }
        this.buf = new byte[bufferBytes];
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxParts = maxParts;
        // A body may open with the boundary line at once: seed the CRLF the delimiter starts with.
        buf[0] = '\r';
        buf[1] = '\n';
        lim = 2;
    }

    /**
     * The boundary of a {@code multipart/form-data} Content-Type (quoted or not); null when the media type is another
     * one (or absent). A form-data type without a usable boundary is a {@link MultipartException}.
     */
    static String formDataBoundary(String contentType) throws MultipartException {
        if (contentType == null) return null;
        String[] params = contentType.split(";");
        if (!params[0].trim().toLowerCase(Locale.ROOT).equals("multipart/form-data")) return null;
        for (int i = 1; i < params.length; i++) {
            String p = params[i].trim();
            int eq = p.indexOf('=');
            if (eq < 0 || !p.substring(0, eq).trim().equalsIgnoreCase("boundary")) continue;
            String b = p.substring(eq + 1).trim();
            if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) b = b.substring(1, b.length() - 1);
            if (b.isEmpty() || b.length() > 70 || !b.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
                throw new MultipartException("multipart boundary '" + b + "' is not 1 to 70 printable ASCII characters");
            }
            return b;
        }
        throw new MultipartException("multipart/form-data without a boundary parameter");
    }

    /**
     * Skips what is left of the current part and reads the next part's headers; null after the closing boundary.
     */
    Part next() throws IOException {
        if (state == State.BODY) {
            while (read(buf, 0, 0, true) >= 0) {
                // dropping the rest of the body
            }
        }
        if (state == State.DONE) return null;
        if (!closeOrLineEnd()) {
            state = State.DONE;
            return null;
        }
        if (++parts > maxParts) throw new MultipartException("more than " + maxParts + " parts");
        Part p = headers();
        state = State.BODY;
        return p;
    }

    /** Reads body bytes of the current part; -1 at its end. */
    int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        return read(b, off, len, false);
    }

    private int read(byte[] b, int off, int len, boolean skip) throws IOException {
        if (state != State.BODY) return -1;
        while (true) {
            int at = indexOf(delimiter, pos, lim);
            int avail = at >= 0 ? at - pos : lim - pos - (delimiter.length - 1);
            if (at == pos) {
                pos += delimiter.length;
                state = State.AFTER_DELIMITER;
                return -1;
            }
            if (avail > 0) {
                int n = skip ? avail : Math.min(avail, len);
                if (!skip) System.arraycopy(buf, pos, b, off, n);
                pos += n;
                return n;
            }
            if (eof) throw new MultipartException("body ended before the closing boundary");
            fill();
        }
    }

    /** After a delimiter: true for a CRLF (a part follows), false for "--" (the closing boundary). */
    private boolean closeOrLineEnd() throws IOException {
        need(2);
        if (buf[pos] == '-' && buf[pos + 1] == '-') {
            pos += 2;
            return false;
        }
        // Transport padding (RFC 2046 5.1.1), then CRLF.
        int pad = 0;
        while (true) {
            need(1);
            if (buf[pos] != ' ' && buf[pos] != '\t') break;
            pos++;
            if (++pad > maxHeaderBytes) throw new MultipartException("boundary line is followed by too much padding");
        }
        need(2);
        if (buf[pos] != '\r' || buf[pos + 1] != '\n') {
            throw new MultipartException("malformed boundary line: the boundary is followed by '"
                    + printable(buf[pos]) + "' instead of CRLF or \"--\"");
        }
        pos += 2;
        return true;
    }

    private Part headers() throws IOException {
        String name = null, filename = null, type = null;
        int used = 0;
        while (true) {
            int end;
            while ((end = indexOf(CRLF, pos, lim)) < 0) {
                if (used + (lim - pos) > maxHeaderBytes) {
                    throw new MultipartException("part " + parts + " has headers longer than " + maxHeaderBytes + " bytes");
                }
                if (eof) throw new MultipartException("body ended inside the headers of part " + parts);
                fill();
            }
            used += end + 2 - pos;
            if (used > maxHeaderBytes) {
                throw new MultipartException("part " + parts + " has headers longer than " + maxHeaderBytes + " bytes");
            }
            String line = new String(buf, pos, end - pos, StandardCharsets.UTF_8);
            pos = end + 2;
            if (line.isEmpty()) break;
            int colon = line.indexOf(':');
            if (colon <= 0) throw new MultipartException("part " + parts + ": header line without a name: '" + line + "'");
            String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (key.equals("content-type")) type = value;
            if (key.equals("content-disposition")) {
                String[] nf = disposition(value);
                name = nf[0];
                filename = nf[1];
            }
        }
        if (name == null) throw new MultipartException("part " + parts + " has no Content-Disposition name");
        return new Part(name, filename, type);
    }

    /** {@code form-data; name="x"; filename="y"} -> {name, filename}; values quoted (with \-escapes) or bare tokens. */
    private String[] disposition(String v) throws MultipartException {
        int semi = v.indexOf(';');
        String kind = (semi < 0 ? v : v.substring(0, semi)).trim();
        if (!kind.equalsIgnoreCase("form-data")) {
            throw new MultipartException("part " + parts + ": Content-Disposition is '" + kind + "', not form-data");
        }
        String[] out = new String[2];
        int i = semi < 0 ? v.length() : semi + 1;
        while (i < v.length()) {
            while (i < v.length() && (v.charAt(i) == ' ' || v.charAt(i) == '\t' || v.charAt(i) == ';')) i++;
            int eq = v.indexOf('=', i);
            if (eq < 0) break;
            String key = v.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            StringBuilder val = new StringBuilder();
            i = eq + 1;
            if (i < v.length() && v.charAt(i) == '"') {
                i++;
                while (i < v.length() && v.charAt(i) != '"') {
                    char c = v.charAt(i++);
                    if (c == '\\' && i < v.length()) c = v.charAt(i++);
                    val.append(c);
                }
                if (i >= v.length()) throw new MultipartException("part " + parts + ": unterminated quoted " + key);
                i++;
            } else {
                while (i < v.length() && v.charAt(i) != ';') val.append(v.charAt(i++));
            }
            String s = val.toString().trim();
            if (key.equals("name")) out[0] = s;
            else if (key.equals("filename")) out[1] = s;
        }
        return out;
    }

    private static final byte[] CRLF = {'\r', '\n'};

    /** Makes at least {@code n} unread bytes available, or fails at the end of the input. */
    private void need(int n) throws IOException {
        while (lim - pos < n) {
            if (eof) throw new MultipartException("body ended before the closing boundary");
            fill();
        }
    }

    /** Moves the unread bytes to the front and reads once more (at least one byte, or marks the end). */
    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) throw new IllegalStateException("MultipartReader: buffer full");
        int n;
        do {
            n = in.read(buf, lim, buf.length - lim);
        } while (n == 0);
        if (n < 0) eof = true;
        else lim += n;
    }

    private int indexOf(byte[] needle, int from, int to) {
        byte first = needle[0];
        for (int i = from, last = to - needle.length; i <= last; i++) {
            if (buf[i] != first) continue;
            int j = 1;
            while (j < needle.length && buf[i + j] == needle[j]) j++;
            if (j == needle.length) return i;
        }
        return -1;
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02X", b & 0xFF);
    }
}
