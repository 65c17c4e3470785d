package io.foley4j.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.kernels.Fp16;
import io.foley4j.kernels.Mem;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir Path dir;

    /** A file made of a literal header and {@code dataBytes} zero bytes of data. */
    static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    static SafetensorsFile parse(byte[] bytes) throws WeightsFormatException {
        return SafetensorsFile.parse("mem.safetensors", MemorySegment.ofArray(bytes));
    }

    private static String msg(String header, int dataBytes) {
        return assertThrows(WeightsFormatException.class, () -> parse(file(header, dataBytes))).getMessage();
    }

    @Test
    void roundTripsEngineTensorsQuantizedPairsAndMetadata() throws IOException {
        Path p = dir.resolve("m.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            float[] v = new float[3 * 37];
            for (int i = 0; i < v.length; i++) v[i] = (i % 11) - 5.5f;
            Tensor f32 = Tensor.ofFloats(arena, v, 3, 37);
            Tensor f16 = Tensor.allocate(arena, DType.F16, 3);
            for (int i = 0; i < 3; i++) f16.data().set(Mem.I16, 2L * i, Fp16.f32ToF16(i + 0.5f));
            Tensor q = Tensor.allocate(arena, DType.I8_BLOCK32, 3, 37); // 2 blocks per row, the second short
            for (int i = 0; i < 111; i++) q.data().set(Mem.I8, i, (byte) (i - 55));
            for (int i = 0; i < 6; i++) Mem.setF32(q.scales(), i, 0.25f * (i + 1));
            Tensor qr = Tensor.allocate(arena, DType.I8_ROW, 2, 5);
            for (int i = 0; i < 10; i++) qr.data().set(Mem.I8, i, (byte) (3 * i));
            for (int i = 0; i < 2; i++) Mem.setF32(qr.scales(), i, 0.5f + i);
            Tensor i64 = Tensor.allocate(arena, DType.I64, 2);
            i64.data().set(Mem.I64, 8, Long.MAX_VALUE);
            new SafetensorsWriter().config("{\"hidden\": 37}").metadata("note", "ünïcode")
                    .add("w", f32).add("h", f16).add("q", q).add("qr", qr).add("ids", i64)
                    .add("lazy", DType.F32, new int[] {2}, () -> Tensor.ofHeap(new float[] {7, 8}, 2))
                    .addRaw("flags", SafetensorsDType.BOOL, new long[] {3}, MemorySegment.ofArray(new byte[] {1, 0, 1}))
                    .write(p);
            byte[] raw = Files.readAllBytes(p);
            long n = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, (8 + n) % 8, "data region starts 8-aligned");
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                assertEquals(List.of("w", "h", "q", "qr", "ids", "lazy", "flags"), List.copyOf(f.names()));
                assertEquals(9, f.entries().size(), "two scale entries besides the 7 logical tensors");
                assertEquals("{\"hidden\": 37}", f.config());
                assertEquals("ünïcode", f.metadata().get("note"));
                assertEquals("I8_BLOCK32", f.metadata().get("quant.q"));
                assertArrayEquals(v, f.tensor("w").toFloats());
                // mapped views are plain off-heap segments: the one class the SIMD kernels are compiled for
                assertTrue(Mem.isPlainNative(f.tensor("w").data()), f.tensor("w").data().getClass().getName());
                assertTrue(Mem.isPlainNative(f.tensor("q").scales()));
                assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f}, f.tensor("h").toFloats());
                assertArrayEquals(q.toFloats(), f.tensor("q").toFloats());
                assertEquals(DType.I8_BLOCK32, f.tensor("q").dtype());
                assertArrayEquals(new long[] {3, 2}, f.entries().get("q.scale").shape());
                assertArrayEquals(qr.toFloats(), f.toF32("qr", arena).toFloats());
                assertEquals(Long.MAX_VALUE, f.tensor("ids").data().get(Mem.I64, 8));
                assertArrayEquals(new float[] {7, 8}, f.tensor("lazy").toFloats());
                assertNull(f.info("flags").engine());
                assertArrayEquals(new float[] {1, 0, 1}, f.toF32("flags", arena).toFloats());
                assertThrows(WeightsFormatException.class, () -> f.tensor("flags"));
                assertFalse(f.contains("q.scale"));
            }
        }
        assertEquals(1, Files.list(dir).count(), "no temporary file left behind");
    }

    @Test
    void convertsEveryConvertibleDtype() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 * 2).order(ByteOrder.LITTLE_ENDIAN);
        record Case(SafetensorsDType t, byte[] bytes, float[] want) {}
        List<Case> cases = List.of(
                new Case(SafetensorsDType.U8, new byte[] {(byte) 200, 1}, new float[] {200, 1}),
                new Case(SafetensorsDType.I8, new byte[] {-128, 127}, new float[] {-128, 127}),
                new Case(SafetensorsDType.I16, b.clear().putShort((short) -3).putShort((short) 300).array().clone(), null),
                new Case(SafetensorsDType.F8_E4M3, new byte[] {0x38, (byte) 0xFE, 0x01, 0x7F}, new float[] {1f, -448f, 0x1p-9f, Float.NaN}),
                new Case(SafetensorsDType.F8_E5M2, new byte[] {0x3C, (byte) 0xC0}, new float[] {1f, -2f}),
                new Case(SafetensorsDType.F8_E8M0, new byte[] {127, (byte) 130}, new float[] {1f, 8f}),
                new Case(SafetensorsDType.U64, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array(), new float[] {0x1p64f}),
                new Case(SafetensorsDType.F64, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(-2.5).array(), new float[] {-2.5f}),
                new Case(SafetensorsDType.U32, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1).array(), new float[] {0x1p32f}));
        for (Case c : cases) {
            MemorySegment s = MemorySegment.ofArray(c.bytes);
            int n = (int) (c.bytes.length * 8L / c.t.bits);
            float[] got = new float[Math.min(n, c.want == null ? 2 : c.want.length)];
            for (int i = 0; i < got.length; i++) got[i] = c.t.getAsFloat(s, i);
            assertArrayEquals(c.want == null ? new float[] {-3, 300} : c.want, got, c.t.name());
        }
        assertTrue(!SafetensorsDType.C64.toF32 && !SafetensorsDType.F4.toF32 && SafetensorsDType.BOOL.toF32);
    }

    @Test
    void subByteDtypesNeedWholeBytes() throws IOException {
        try (SafetensorsFile f = parse(file("{\"a\":{\"dtype\":\"F4\",\"shape\":[3,2],\"data_offsets\":[0,3]}}", 3))) {
            assertEquals(3, f.bytes("a").byteSize());
            assertThrows(WeightsFormatException.class, () -> f.toF32("a", Arena.global()));
        }
        assertTrue(msg("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 2).contains("whole number of bytes"));
    }

    @Test
    void eachMalformationHasItsOwnClearError() {
        String ok = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        assertTrue(assertThrows(WeightsFormatException.class, () -> parse(new byte[5])).getMessage().contains("fewer than"));
        byte[] longHeader = file("{}", 0);
        longHeader[0] = 100;
        assertTrue(assertThrows(WeightsFormatException.class, () -> parse(longHeader)).getMessage().contains("past the end"));
        byte[] absurd = file("{}", 0);
        absurd[7] = (byte) 0x80;
        assertTrue(assertThrows(WeightsFormatException.class, () -> parse(absurd)).getMessage().contains("absurd"));
        // another kind of file (an MP4's first box): said plainly, also when it ends right after the length
        byte[] mp4 = "\0\0\0\u0020ftypisom\0\0\u0002\0isomiso2avc1mp41".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(assertThrows(WeightsFormatException.class, () -> parse(mp4)).getMessage()
                .contains("absurd (limit 100000000): not a safetensors file"));
        byte[] eight = java.util.Arrays.copyOf(mp4, 8);
        assertTrue(assertThrows(WeightsFormatException.class, () -> parse(eight)).getMessage()
                .contains("not a safetensors file"));
        byte[] badUtf8 = file("{\"\u00e9\":1}", 0);
        badUtf8[10] = (byte) 0xC3; badUtf8[11] = (byte) 0x28;
        assertTrue(assertThrows(WeightsFormatException.class, () -> parse(badUtf8)).getMessage().contains("UTF-8"));
        assertTrue(msg("{\"a\":", 0).contains("not valid JSON"));
        assertTrue(msg("{} {}", 0).contains("not valid JSON"), "trailing tokens");
        assertTrue(msg("[]", 0).contains("not a JSON object"));
        assertTrue(msg("{\"a\":" + ok + ",\"a\":" + ok + "}", 8).contains("not valid JSON"), "duplicate name");
        assertTrue(msg("{\"a\":{\"dtype\":\"F31\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8).contains("'a': unknown dtype 'F31'"));
        assertTrue(msg("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8).contains("needs 12 bytes"));
        assertTrue(msg("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8).contains("negative"));
        assertTrue(msg("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8).contains("not an integer"));
        assertTrue(msg("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8).contains("not an integer"));
        assertTrue(msg("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", 8).contains("not an integer"));
        assertTrue(msg("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8).contains("overflows"));
        assertTrue(msg("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 8).contains("run past"));
        assertTrue(msg("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8).contains("end before"));
        assertTrue(msg("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8).contains("not 2"));
        assertTrue(msg("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", 8).contains("unknown key 'x'"));
        assertTrue(msg("{\"a\":" + ok + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12).contains("overlap tensor 'a'"));
        assertTrue(msg("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12).contains("'a': hole of 4"));
        assertTrue(msg("{\"a\":" + ok + "}", 12).contains("trailing bytes"));
        assertTrue(msg("{\"__metadata__\":{\"k\":1}}", 0).contains("not a string"));
        assertTrue(msg("{\"__metadata__\":[]}", 0).contains("not an object"));
        assertTrue(msg("{\"__metadata__\":{\"quant.a\":\"I8_ROW\"},\"a\":" + ok + "}", 8).contains("'a': metadata says I8_ROW but the tensor is F32"));
        assertTrue(msg("{\"__metadata__\":{\"quant.a\":\"I4\"},\"a\":" + ok + "}", 8).contains("names no quantized"));
        assertTrue(msg("{\"__metadata__\":{\"quant.a\":\"I8_ROW\"},\"a\":{\"dtype\":\"I8\",\"shape\":[2,4],\"data_offsets\":[0,8]}}", 8)
                .contains("needs scales 'a.scale' F32[2], found none"));
    }

    @Test
    void openNamesTheFileAndReleasesIt() throws IOException {
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8));
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> SafetensorsFile.open(p));
        assertTrue(e.getMessage().startsWith(p.toString() + ": tensor 'a'"), e.getMessage());
        assertEquals("a", e.tensor());
    }

    /**
     * unload drops the mapped pages from the resident set and the views still read the same values. Resident memory
     * is read from /proc/self/status (RssFile), so that half runs on Linux only; the values are checked everywhere.
     */
    @Test
    void unloadDropsTheMappedPagesAndViewsStayValid() throws IOException {
        Path p = dir.resolve("big.safetensors");
        int n = 8 << 20; // 32 MiB of floats: far above what anything else maps meanwhile
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.allocate(arena, DType.F32, n);
            for (long i = 0; i < n; i++) w.data().setAtIndex(Mem.F32, i, i * 0.5f);
            new SafetensorsWriter().add("w", w).write(p);
        }
        boolean linux = Files.isReadable(Path.of("/proc/self/status"));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            Tensor t = f.tensor("w");
            double sum = touch(t);
            long before = linux ? rssFileKb() : 0;
            f.unload();
            long after = linux ? rssFileKb() : 0;
            if (linux) {
                assertTrue(before - after >= 30 << 10, "RssFile " + before + " kB -> " + after
                        + " kB: expected a drop of >= 30 MiB after unloading a 32 MiB file that was read");
            }
            assertEquals(sum, touch(t), "the same values after unload (faulted back in)");
            assertEquals(1234.5f, t.data().getAtIndex(Mem.F32, 2469));
        }
        // contents not mapped from a file: nothing to drop, no error
        SafetensorsFile.parse("mem", MemorySegment.ofArray(Files.readAllBytes(p)).asReadOnly()).unload();
    }

    /** unload(tensor) drops that tensor's pages and not the others'; a tensor from elsewhere is left alone. */
    @Test
    void unloadOfOneTensorDropsItsPagesOnly() throws IOException {
        Path p = dir.resolve("two.safetensors");
        int n = 4 << 20; // 16 MiB of floats each
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.allocate(arena, DType.F32, n), b = Tensor.allocate(arena, DType.F32, n);
            for (long i = 0; i < n; i++) {
                a.data().setAtIndex(Mem.F32, i, i);
                b.data().setAtIndex(Mem.F32, i, -i);
            }
            new SafetensorsWriter().add("a", a).add("b", b).write(p);
        }
        boolean linux = Files.isReadable(Path.of("/proc/self/status"));
        try (SafetensorsFile f = SafetensorsFile.open(p); Arena arena = Arena.ofConfined()) {
            Tensor a = f.tensor("a"), b = f.tensor("b");
            double sa = touch(a), sb = touch(b);
            long before = linux ? rssFileKb() : 0;
            f.unload(a);
            long after = linux ? rssFileKb() : 0;
            f.unload(Tensor.ofFloats(arena, new float[] {1, 2}, 2)); // not a view of the file: nothing to drop
            if (linux) {
                long dropped = before - after;
                assertTrue(dropped >= 15 << 10 && dropped <= 17 << 10, "RssFile " + before + " kB -> " + after
                        + " kB: expected a drop of about 16 MiB (tensor a), not " + dropped + " kB");
            }
            assertEquals(sa, touch(a));
            assertEquals(sb, touch(b));
        }
    }

    private static double touch(Tensor t) {
        double s = 0;
        for (long i = 0; i < t.numel(); i += 1024) s += t.data().getAtIndex(Mem.F32, i);
        return s;
    }

    private static long rssFileKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("RssFile:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
        throw new IOException("/proc/self/status has no RssFile line");
    }
}
