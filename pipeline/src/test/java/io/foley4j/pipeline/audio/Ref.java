package io.foley4j.pipeline.audio;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test data under src/test/resources/audio: the reference script's .npy outputs (little-endian float32, C order)
 * and ONNX conformance TensorProto .pb files.
 */
final class Ref {
    private Ref() {}

    record Array(int[] shape, float[] data) {}

    static byte[] bytes(String resource) {
        try (InputStream in = Ref.class.getResourceAsStream("/audio/" + resource)) {
            if (in == null) throw new IllegalStateException("missing test resource audio/" + resource);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path path(String resource) {
        try {
            return Path.of(Ref.class.getResource("/audio/" + resource).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String[]> cases(String resource) {
        List<String[]> out = new ArrayList<>();
        for (String line : new String(bytes(resource), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) out.add(line.trim().split("\\s+"));
        }
        return out;
    }

    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** .npy version 1/2 with descr '<f4'. */
    static Array npy(String name) {
        ByteBuffer b = ByteBuffer.wrap(bytes("ref/" + name + ".npy")).order(ByteOrder.LITTLE_ENDIAN);
        int major = b.get(6);
        int headerLen = major == 1 ? Short.toUnsignedInt(b.getShort(8)) : b.getInt(8);
        int start = major == 1 ? 10 : 12;
        String header = new String(b.array(), start, headerLen, StandardCharsets.ISO_8859_1);
        if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
            throw new IllegalStateException(name + ": unsupported npy header " + header);
        }
        Matcher m = SHAPE.matcher(header);
        if (!m.find()) throw new IllegalStateException(name + ": no shape in " + header);
        int[] shape = java.util.Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
        int n = 1;
        for (int d : shape) n *= d;
        float[] data = new float[n];
        b.position(start + headerLen);
        b.asFloatBuffer().get(data);
        return new Array(shape, data);
    }

    /**
     * Minimal onnx.TensorProto reader: dims (1), data_type (2), float_data (4), int32_data (5), int64_data (7),
     * raw_data (9). Values are returned as doubles (FLOAT = 1, INT32 = 6, INT64 = 7, DOUBLE = 11).
     */
    record Proto(long[] dims, int type, double[] values) {}

    static Proto tensorProto(String resource) {
        ByteBuffer b = ByteBuffer.wrap(bytes(resource)).order(ByteOrder.LITTLE_ENDIAN);
        List<Long> dims = new ArrayList<>();
        List<Double> typed = new ArrayList<>();
        int type = 0;
        byte[] raw = null;
        while (b.hasRemaining()) {
            long tag = varint(b);
            int field = (int) (tag >>> 3), wire = (int) (tag & 7);
            if (wire == 0) {
                long v = varint(b);
                switch (field) {
                    case 1 -> dims.add(v);
                    case 2 -> type = (int) v;
                    case 5, 7 -> typed.add((double) v);
                    default -> { }
                }
            } else if (wire == 2) {
                int len = (int) varint(b);
                ByteBuffer sub = b.slice(b.position(), len).order(ByteOrder.LITTLE_ENDIAN);
                b.position(b.position() + len);
                switch (field) {
                    case 1 -> { while (sub.hasRemaining()) dims.add(varint(sub)); }
                    case 4 -> { while (sub.hasRemaining()) typed.add((double) sub.getFloat()); }
                    case 5, 7 -> { while (sub.hasRemaining()) typed.add((double) varint(sub)); }
                    case 9 -> { raw = new byte[len]; sub.get(raw); }
                    default -> { }
                }
            } else if (wire == 5) {
                float v = b.getFloat();
                if (field == 4) typed.add((double) v);
            } else if (wire == 1) {
                b.getLong();
            } else {
                throw new IllegalStateException(resource + ": unexpected wire type " + wire);
            }
        }
        double[] values;
        if (raw != null) {
            ByteBuffer r = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            int size = switch (type) { case 1, 6 -> 4; case 7, 11 -> 8; default -> throw new IllegalStateException(
                    resource + ": unsupported data_type " + type); };
            values = new double[raw.length / size];
            for (int i = 0; i < values.length; i++) {
                values[i] = switch (type) {
                    case 1 -> r.getFloat();
                    case 6 -> r.getInt();
                    case 7 -> r.getLong();
                    default -> r.getDouble();
                };
            }
        } else {
            values = typed.stream().mapToDouble(Double::doubleValue).toArray();
        }
        return new Proto(dims.stream().mapToLong(Long::longValue).toArray(), type, values);
    }

    private static long varint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b.get();
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) return v;
        }
        throw new IllegalStateException("malformed varint");
    }

    static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }
}
