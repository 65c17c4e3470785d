package io.foley4j.pipeline.serve;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultipartReaderTest {
    private static final String B = "XyZ-boundary-42";

    /** Hands out at most {@code chunk} bytes per read, so delimiters land across buffer refills. */
    private static InputStream chunked(byte[] data, int chunk) {
        return new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < data.length ? data[pos++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= data.length) return -1;
                int n = Math.min(Math.min(len, chunk), data.length - pos);
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    record Got(MultipartReader.Part part, byte[] body) {}

    private static List<Got> readAll(byte[] body, String boundary, int chunk, int buffer, int maxHeader, int maxParts)
            throws IOException {
        MultipartReader r = new MultipartReader(chunked(body, chunk), boundary, buffer, maxHeader, maxParts);
        List<Got> out = new ArrayList<>();
        byte[] b = new byte[13];  // odd size: reads end at arbitrary places
        for (MultipartReader.Part p; (p = r.next()) != null; ) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int k; (k = r.read(b, 0, b.length)) >= 0; ) bytes.write(b, 0, k);
            out.add(new Got(p, bytes.toByteArray()));
        }
        return out;
    }

    private static List<Got> readAll(byte[] body, int chunk, int buffer) throws IOException {
        return readAll(body, B, chunk, buffer, 1024, 16);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A form with the given bodies, part i named p{i}. */
    private static byte[] form(String boundary, byte[]... bodies) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (int i = 0; i < bodies.length; i++) {
            o.writeBytes(ascii((i == 0 ? "" : "\r\n") + "--" + boundary + "\r\n"
                    + "Content-Disposition: form-data; name=\"p" + i + "\"; filename=\"f" + i + ".bin\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n"));
            o.writeBytes(bodies[i]);
        }
        o.writeBytes(ascii("\r\n--" + boundary + "--\r\n"));
        return o.toByteArray();
    }

    @Test
    void bodiesNearTheDelimiterSurviveEverySplit() throws IOException {
        // Each body holds a prefix of the delimiter, CRs and LFs where a split is most likely to confuse a search.
        byte[][] bodies = {
                ascii("plain text"),
                ascii("\r\n--" + B.substring(0, B.length() - 1) + "!\r\n"),
                ascii("ends with CR\r"),
                ascii("ends with CRLF\r\n"),
                ascii("--" + B + " without a CRLF before it"),
                ascii("\r\r\n\r\n-\r\n--\r\n--X"),
                new byte[0],
        };
        byte[] body = form(B, bodies);
        for (int chunk : new int[] {1, 2, 3, 5, 7, 19, 64, 1 << 16}) {
            for (int buffer : new int[] {1028, 1500, 8192}) {
                List<Got> got = readAll(body, chunk, buffer);
                assertEquals(bodies.length, got.size(), "parts at chunk " + chunk + ", buffer " + buffer);
                for (int i = 0; i < bodies.length; i++) {
                    assertArrayEquals(bodies[i], got.get(i).body(), "part " + i + " at chunk " + chunk + ", buffer " + buffer);
                    assertEquals("p" + i, got.get(i).part().name());
                    assertEquals("f" + i + ".bin", got.get(i).part().filename());
                    assertEquals("application/octet-stream", got.get(i).part().contentType());
                }
            }
        }
    }

    @Test
    void randomBinaryBodiesRoundTrip() throws IOException {
        Random rnd = new Random(7);
        byte[] delim = ascii("\r\n--" + B);
        for (int trial = 0; trial < 200; trial++) {
            byte[][] bodies = new byte[1 + rnd.nextInt(4)][];
            for (int i = 0; i < bodies.length; i++) {
                byte[] b = new byte[rnd.nextInt(5000)];
                rnd.nextBytes(b);
                // Plant partial delimiters (never the whole one, which a body may not contain).
                for (int k = 0; k < 5 && b.length > delim.length; k++) {
                    int at = rnd.nextInt(b.length - delim.length);
                    System.arraycopy(delim, 0, b, at, 1 + rnd.nextInt(delim.length - 1));
                }
                bodies[i] = b;
            }
            int chunk = 1 + rnd.nextInt(300);
            List<Got> got = readAll(form(B, bodies), chunk, 1100 + rnd.nextInt(3000));
            assertEquals(bodies.length, got.size(), "trial " + trial);
            for (int i = 0; i < bodies.length; i++) {
                assertArrayEquals(bodies[i], got.get(i).body(), "trial " + trial + " part " + i + " chunk " + chunk);
            }
        }
    }

    @Test
    void preambleEpilogueAndTransportPaddingAreIgnored() throws IOException {
        byte[] body = ascii("this is a preamble\r\n--" + B + "  \t\r\nContent-Disposition: form-data; name=desc\r\n\r\n"
                + "dog barks\r\n--" + B + "--\r\nepilogue that is never read");
        List<Got> got = readAll(body, 3, 2048);
        assertEquals(1, got.size());
        assertEquals("desc", got.get(0).part().name());
        assertNull(got.get(0).part().filename());
        assertEquals("dog barks", new String(got.get(0).body(), StandardCharsets.UTF_8));
    }

    @Test
    void unreadBodiesAreSkippedByNext() throws IOException {
        byte[] big = new byte[50_000];
        Arrays.fill(big, (byte) '\r');
        MultipartReader r = new MultipartReader(chunked(form(B, big, ascii("second")), 777), B, 4096, 1024, 16);
        assertEquals("p0", r.next().name());
        assertEquals("p1", r.next().name());
        byte[] b = new byte[100];
        int n = r.read(b, 0, b.length);
        assertEquals("second", new String(b, 0, n, StandardCharsets.US_ASCII));
        assertNull(r.next());
        assertNull(r.next());
    }

    @Test
    void quotedNamesWithEscapesAndSemicolons() throws IOException {
        byte[] body = ascii("--" + B + "\r\ncontent-disposition: form-data; filename=\"a;b \\\"c\\\".mp4\"; name=\"video\"\r\n\r\n"
                + "x\r\n--" + B + "--");
        List<Got> got = readAll(body, 1, 2048);
        assertEquals("video", got.get(0).part().name());
        assertEquals("a;b \"c\".mp4", got.get(0).part().filename());
    }

    @Test
    void boundaryFromContentType() throws IOException {
        assertEquals("abc", MultipartReader.formDataBoundary("multipart/form-data; boundary=abc"));
        assertEquals("a b:c", MultipartReader.formDataBoundary("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b:c\""));
        assertNull(MultipartReader.formDataBoundary("application/json"));
        assertNull(MultipartReader.formDataBoundary("multipart/mixed; boundary=abc"));
        assertNull(MultipartReader.formDataBoundary(null));
        MultipartException none = assertThrows(MultipartException.class,
                () -> MultipartReader.formDataBoundary("multipart/form-data"));
        assertTrue(none.getMessage().contains("without a boundary"), none.getMessage());
        assertThrows(MultipartException.class, () -> MultipartReader.formDataBoundary("multipart/form-data; boundary=\"\""));
        assertThrows(MultipartException.class, () -> MultipartReader.formDataBoundary("multipart/form-data; boundary=" + "x".repeat(71)));
    }

    @Test
    void quotedBoundaryWithSpacesParses() throws IOException {
        String b = MultipartReader.formDataBoundary("multipart/form-data; boundary=\"gc0p4Jq0M2Yt08jU534c0p ==\"");
        assertEquals("gc0p4Jq0M2Yt08jU534c0p ==", b);
        List<Got> got = readAll(form(b, ascii("one"), ascii("two")), b, 4, 2048, 1024, 16);
        assertEquals(2, got.size());
        assertEquals("two", new String(got.get(1).body(), StandardCharsets.US_ASCII));
    }

    @Test
    void missingFinalBoundaryIsAClearError() {
        byte[] full = form(B, ascii("abc"));
        byte[] cut = Arrays.copyOf(full, full.length - ("\r\n--" + B + "--\r\n").length());
        MultipartException e = assertThrows(MultipartException.class, () -> readAll(cut, 5, 2048));
        assertTrue(e.getMessage().contains("closing boundary"), e.getMessage());
        // A delimiter with nothing after it is cut short too.
        byte[] bare = Arrays.copyOf(full, full.length - "--\r\n".length());
        e = assertThrows(MultipartException.class, () -> readAll(bare, 5, 2048));
        assertTrue(e.getMessage().contains("closing boundary"), e.getMessage());
        // Cut inside the headers.
        byte[] inHeaders = ascii("--" + B + "\r\nContent-Disposition: form-da");
        e = assertThrows(MultipartException.class, () -> readAll(inHeaders, 5, 2048));
        assertTrue(e.getMessage().contains("inside the headers"), e.getMessage());
        // Nothing at all.
        assertThrows(MultipartException.class, () -> readAll(new byte[0], 5, 2048));
    }

    @Test
    void headersLongerThanTheLimitAreRefused() {
        byte[] body = ascii("--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: " + "p".repeat(600)
                + "\r\n\r\nbody\r\n--" + B + "--\r\n");
        MultipartException e = assertThrows(MultipartException.class, () -> readAll(body, B, 7, 2048, 512, 16));
        assertTrue(e.getMessage().contains("headers longer than 512"), e.getMessage());
        // A single endless header line without CRLF fails the same way, before the buffer fills.
        byte[] endless = ascii("--" + B + "\r\nX-Pad: " + "p".repeat(5000));
        e = assertThrows(MultipartException.class, () -> readAll(endless, B, 100, 2048, 512, 16));
        assertTrue(e.getMessage().contains("headers longer than 512"), e.getMessage());
    }

    @Test
    void tooManyPartsAreRefused() throws IOException {
        byte[][] bodies = new byte[5][];
        Arrays.fill(bodies, ascii("x"));
        assertEquals(5, readAll(form(B, bodies), B, 64, 2048, 1024, 5).size());
        MultipartException e = assertThrows(MultipartException.class, () -> readAll(form(B, bodies), B, 64, 2048, 1024, 4));
        assertTrue(e.getMessage().contains("more than 4 parts"), e.getMessage());
    }

    @Test
    void crlfEdgeCasesAroundTheBoundaryLine() {
        // LF-only line ends after the boundary are not multipart.
        byte[] lf = ascii("--" + B + "\nContent-Disposition: form-data; name=a\n\nx\n--" + B + "--\n");
        MultipartException e = assertThrows(MultipartException.class, () -> readAll(lf, 3, 2048));
        assertTrue(e.getMessage().contains("malformed boundary line"), e.getMessage());
        // The boundary continued by other characters (a longer boundary) is malformed, not a body.
        byte[] longer = ascii("--" + B + "\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--" + B + "Z\r\n");
        e = assertThrows(MultipartException.class, () -> readAll(longer, 3, 2048));
        assertTrue(e.getMessage().contains("'Z'"), e.getMessage());
        // A CR without LF after the boundary.
        byte[] loneCr = ascii("--" + B + "\rContent-Disposition: form-data; name=a\r\n\r\nx\r\n--" + B + "--");
        assertThrows(MultipartException.class, () -> readAll(loneCr, 1, 2048));
    }

    @Test
    void partsWithoutAFormDataNameAreRefused() {
        byte[] noName = ascii("--" + B + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + B + "--");
        MultipartException e = assertThrows(MultipartException.class, () -> readAll(noName, 8, 2048));
        assertTrue(e.getMessage().contains("no Content-Disposition name"), e.getMessage());
        byte[] attachment = ascii("--" + B + "\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--" + B + "--");
        e = assertThrows(MultipartException.class, () -> readAll(attachment, 8, 2048));
        assertTrue(e.getMessage().contains("not form-data"), e.getMessage());
        byte[] noColon = ascii("--" + B + "\r\nbroken header\r\n\r\nx\r\n--" + B + "--");
        assertThrows(MultipartException.class, () -> readAll(noColon, 8, 2048));
    }

    @Test
    void zeroPartsEndAtOnce() throws IOException {
        assertEquals(0, readAll(ascii("--" + B + "--\r\n"), 2, 2048).size());
    }

    @Test
    void constructorChecksBoundaryAndBuffer() {
        InputStream empty = InputStream.nullInputStream();
        assertThrows(IllegalArgumentException.class, () -> new MultipartReader(empty, "", 4096, 1024, 4));
        assertThrows(IllegalArgumentException.class, () -> new MultipartReader(empty, "x".repeat(71), 4096, 1024, 4));
        assertThrows(IllegalArgumentException.class, () -> new MultipartReader(empty, B, 1000, 1024, 4));
    }
}
