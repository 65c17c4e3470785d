package io.foley4j.loader;

import io.foley4j.kernels.Mem;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Protocol-buffers wire-format reader over a {@link MemorySegment}: varints, fixed32/64 and length-delimited fields
 * (returned as zero-copy slices). Every read is bounds-checked against the current message and fails with a
 * {@link WeightsFormatException}; groups (wire types 3, 4) are rejected, as proto3 never writes them.
 */
final class ProtoReader {
    static final int VARINT = 0, I64 = 1, LEN = 2, I32 = 5;

    private final String src;
    private final MemorySegment seg;
    private long pos;

    ProtoReader(String src, MemorySegment seg) {
        this.src = src;
        this.seg = seg;
    }

    boolean more() { return pos < seg.byteSize(); }

    /** Next tag, {@code field << 3 | wireType}. */
    int tag() throws WeightsFormatException {
        long t = varint();
        if (t <= 0 || t > 0xFFFFFFFFL || (t >>> 3) == 0) throw error("invalid field tag " + t);
        return (int) t;
    }

    static int field(int tag) { return tag >>> 3; }

    static int wire(int tag) { return tag & 7; }

    long varint() throws WeightsFormatException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= seg.byteSize()) throw error("truncated varint");
            byte b = seg.get(Mem.I8, pos++);
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) return v;
        }
        throw error("varint longer than 10 bytes");
    }

    int fixed32() throws WeightsFormatException {
        need(4);
        int v = seg.get(Mem.I32, pos);
        pos += 4;
        return v;
    }

    long fixed64() throws WeightsFormatException {
        need(8);
        long v = seg.get(Mem.I64, pos);
        pos += 8;
        return v;
    }

    /** A length-delimited field's payload, zero-copy. */
    MemorySegment bytes() throws WeightsFormatException {
        long n = varint();
        if (n < 0) throw error("negative length " + n);
        need(n);
        MemorySegment s = seg.asSlice(pos, n);
        pos += n;
        return s;
    }

    ProtoReader message() throws WeightsFormatException {
        return new ProtoReader(src, bytes());
    }

    String string() throws WeightsFormatException {
        return new String(bytes().toArray(Mem.I8), StandardCharsets.UTF_8);
    }

    void skip(int tag) throws WeightsFormatException {
        switch (wire(tag)) {
            case VARINT -> varint();
            case I64 -> { need(8); pos += 8; }
            case LEN -> bytes();
            case I32 -> { need(4); pos += 4; }
            default -> throw error("unsupported wire type " + wire(tag) + " of field " + field(tag));
        }
    }

    /** Checks the wire type of a field whose schema is known. */
    void expect(int tag, int wire) throws WeightsFormatException {
        if (wire(tag) != wire) throw error("field " + field(tag) + " has wire type " + wire(tag) + ", expected " + wire);
    }

    /** One element or a packed run of a repeated varint field. */
    void varints(int tag, Longs out) throws WeightsFormatException {
        if (wire(tag) == LEN) {
            ProtoReader p = message();
            while (p.more()) out.add(p.varint());
        } else {
            expect(tag, VARINT);
            out.add(varint());
        }
    }

    /** One element or a packed run of a repeated fixed32 (float) or fixed64 (double) field; stored as raw bits. */
    void fixeds(int tag, int wire, Longs out) throws WeightsFormatException {
        int size = wire == I32 ? 4 : 8;
        if (wire(tag) == LEN) {
            MemorySegment b = bytes();
            if (b.byteSize() % size != 0) throw error("packed field " + field(tag) + " of " + b.byteSize() + " bytes");
            for (long i = 0; i < b.byteSize(); i += size) out.add(size == 4 ? b.get(Mem.I32, i) : b.get(Mem.I64, i));
        } else {
            expect(tag, wire);
            out.add(size == 4 ? fixed32() : fixed64());
        }
    }

    private void need(long n) throws WeightsFormatException {
        if (n > seg.byteSize() - pos) throw error("field of " + n + " bytes runs past the end of its message");
    }

    WeightsFormatException error(String problem) {
        return new WeightsFormatException(src, null, problem + " (protobuf offset " + pos + " of " + seg.byteSize() + ")");
    }

    /** A growable long[] (no boxing). */
    static final class Longs {
        long[] a = new long[8];
        int n;

        void add(long v) {
            if (n == a.length) a = Arrays.copyOf(a, 2 * n);
            a[n++] = v;
        }

        long[] toArray() { return Arrays.copyOf(a, n); }
    }
}
