package io.foley4j.pipeline.mux;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One ISO BMFF box inside an in-memory buffer: {@code [start, end)} is the whole box, the body starts at
 * {@code body}. Parsing never copies; every size is checked against the enclosing range.
 */
record Box(String type, int start, int body, int end) {
    int bodySize() { return end - body; }

    /** The child boxes of {@code [from, to)} in {@code b}; a size that overruns the range is an error. */
    static List<Box> children(byte[] b, int from, int to) {
        List<Box> out = new ArrayList<>();
        int pos = from;
        while (pos + 8 <= to) {
            long size = u32(b, pos);
            String type = fourcc(b, pos + 4);
            int header = 8;
            if (size == 1) {
                if (pos + 16 > to) throw new IllegalArgumentException("box '" + type + "' at " + pos + " cut in its header");
                size = s64(b, pos + 8);
                header = 16;
            } else if (size == 0) {
                size = to - pos;   // extends to the end of its parent
            }
            if (size < header || size > to - pos) {
                throw new IllegalArgumentException("box '" + type + "' at byte " + pos + " declares " + size
                        + " bytes but its parent has " + (to - pos) + " left");
            }
            out.add(new Box(type, pos, pos + header, pos + (int) size));
            pos += (int) size;
        }
        return out;
    }

    List<Box> children(byte[] b) {
        return children(b, body, end);
    }

    /** The first child of this box of type {@code type}, or null. */
    Box child(byte[] b, String type) {
        for (Box c : children(b)) {
            if (c.type.equals(type)) return c;
        }
        return null;
    }

    /** The box at {@code path} (types separated by '/') below this one; IllegalArgumentException when absent. */
    Box find(byte[] b, String path) {
        Box cur = this;
        for (String t : path.split("/")) {
            Box next = cur.child(b, t);
            if (next == null) throw new IllegalArgumentException("'" + cur.type + "' has no '" + t + "' box");
            cur = next;
        }
        return cur;
    }

    static long u32(byte[] b, int at) {
        return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    static long s64(byte[] b, int at) {
        return (u32(b, at) << 32) | u32(b, at + 4);
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    static String fourcc(byte[] b, int at) {
        StringBuilder sb = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            int c = b[at + i] & 0xff;
            sb.append(c >= 32 && c < 127 ? (char) c : '?');
        }
        return sb.toString();
    }

    static void put32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static void put64(byte[] b, int at, long v) {
        put32(b, at, v >>> 32);
        put32(b, at + 4, v);
    }

    /** Big-endian box writer: {@link #open} a box, write its body, {@link #close} patches its 32-bit size. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final List<Integer> open = new ArrayList<>();
        private final List<int[]> sizes = new ArrayList<>();   // {start, size} of each closed box

        Writer open(String type) {
            open.add(out.size());
            u32(0);
            return bytes(type.getBytes(StandardCharsets.US_ASCII));
        }

        /** A full box: version and 24-bit flags follow the header. */
        Writer openFull(String type, int version, int flags) {
            return open(type).u32(((long) version << 24) | flags);
        }

        Writer close() {
            int start = open.removeLast();
            sizes.add(new int[] {start, out.size() - start});
            return this;
        }

        Writer u8(int v) { out.write(v); return this; }
        Writer u16(int v) { out.write(v >>> 8); out.write(v); return this; }
        Writer u32(long v) { u16((int) (v >>> 16)); return u16((int) v); }
        Writer u64(long v) { u32(v >>> 32); return u32(v); }
        Writer zeros(int n) { for (int i = 0; i < n; i++) out.write(0); return this; }
        Writer bytes(byte[] b) { out.writeBytes(b); return this; }
        Writer bytes(byte[] b, int from, int to) { out.write(b, from, to - from); return this; }

        /** A chunk offset box: 'stco' (32-bit) or 'co64'. */
        Writer offsets(long[] chunkOffset, boolean co64) {
            openFull(co64 ? "co64" : "stco", 0, 0).u32(chunkOffset.length);
            for (long o : chunkOffset) {
                if (co64) u64(o);
                else u32(o);
            }
            return close();
        }

        int size() { return out.size(); }

        byte[] toByteArray() {
            if (!open.isEmpty()) throw new IllegalStateException("unclosed boxes at " + open);
            byte[] b = out.toByteArray();
            for (int[] s : sizes) put32(b, s[0], s[1]);
            return b;
        }
    }
}
