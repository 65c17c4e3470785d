package io.foley4j.loader;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated headers and truncated files (fixed seed) must fail with {@link WeightsFormatException} and nothing else;
 * whatever is accepted must be fully readable. A hang fails the timeout.
 */
class SafetensorsFuzzTest {
    private static final String[] TOKENS = {"\"", "{", "}", "[", "]", ",", ":", "-1", "0", "1e309", "2.5", "null", "true",
            "\"F64\"", "\"I8\"", "\"C64\"", "\"F4\"", "\"I8_ROW\"", "\"quant.q\"", "\"__metadata__\"", "\\u0000", "\"\\ud800\"",
            "18446744073709551616", "9223372036854775807", "\u00e9", "[[[[[[[[", "\"data_offsets\":[0,0]", " "};

    @TempDir Path dir;

    private static byte[] validFile(Path dir) throws IOException {
        Path p = dir.resolve("base.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Tensor.allocate(arena, DType.I8_BLOCK32, 2, 40);
            Tensor r = Tensor.allocate(arena, DType.I8_ROW, 3, 4);
            new SafetensorsWriter().config("{\"layers\":2}")
                    .add("a", Tensor.ofHeap(new float[] {1, 2, 3, 4, 5, 6}, 2, 3))
                    .add("q", q).add("r", r)
                    .addRaw("h", SafetensorsDType.F16, new long[] {3}, MemorySegment.ofArray(new byte[6]))
                    .addRaw("e", SafetensorsDType.F64, new long[] {0, 5}, MemorySegment.ofArray(new byte[0]))
                    .addRaw("f4", SafetensorsDType.F4, new long[] {4}, MemorySegment.ofArray(new byte[2]))
                    .addRaw("u", SafetensorsDType.U16, new long[] {}, MemorySegment.ofArray(new byte[2]))
                    .write(p);
        }
        return Files.readAllBytes(p);
    }

    private static byte[] withHeader(byte[] base, String header) {
        int n = (int) ByteBuffer.wrap(base).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + base.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(base, 8 + n, base.length - 8 - n).array();
    }

    static byte[] mutate(byte[] base, Random rnd) {
        int n = (int) ByteBuffer.wrap(base).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(base, 8, n, StandardCharsets.UTF_8);
        switch (rnd.nextInt(6)) {
            case 0 -> { // byte flips in the length field and header
                byte[] b = base.clone();
                for (int k = 1 + rnd.nextInt(4); k > 0; k--) b[rnd.nextInt(8 + n)] ^= (byte) (1 << rnd.nextInt(8));
                return b;
            }
            case 1 -> { // random bytes anywhere
                byte[] b = base.clone();
                for (int k = 1 + rnd.nextInt(3); k > 0; k--) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                return b;
            }
            case 2 -> { // truncation
                return Arrays.copyOf(base, rnd.nextInt(base.length));
            }
            case 3 -> { // a token inserted or substituted
                int at = rnd.nextInt(header.length() + 1);
                int cut = rnd.nextBoolean() ? 0 : Math.min(header.length() - at, rnd.nextInt(4));
                return withHeader(base, header.substring(0, at) + TOKENS[rnd.nextInt(TOKENS.length)] + header.substring(at + cut));
            }
            case 4 -> { // a number changed
                StringBuilder s = new StringBuilder(header);
                for (int k = 1 + rnd.nextInt(2); k > 0; k--) {
                    int at = rnd.nextInt(s.length());
                    while (at < s.length() && !Character.isDigit(s.charAt(at))) at++;
                    if (at < s.length()) s.setCharAt(at, (char) ('0' + rnd.nextInt(10)));
                }
                return withHeader(base, s.toString());
            }
            default -> { // a span deleted or duplicated; or the length field set at random
                if (rnd.nextInt(4) == 0) {
                    byte[] b = base.clone();
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, rnd.nextBoolean() ? rnd.nextLong() : rnd.nextInt(b.length + 16));
                    return b;
                }
                int a = rnd.nextInt(header.length()), e = Math.min(header.length(), a + 1 + rnd.nextInt(24));
                String span = header.substring(a, e);
                return withHeader(base, rnd.nextBoolean() ? header.substring(0, a) + header.substring(e)
                        : header.substring(0, e) + span + header.substring(e));
            }
        }
    }

    /** Reads everything an accepted file offers; only {@link WeightsFormatException} may come out. */
    static void readAll(SafetensorsFile f) throws WeightsFormatException {
        try (Arena arena = Arena.ofConfined()) {
            for (String name : f.names()) {
                SafetensorsFile.TensorInfo info = f.info(name);
                f.bytes(name).toArray(io.foley4j.kernels.Mem.I8);
                if (info.engine() != null) f.tensor(name).numel();
                if (info.stored().toF32 || (info.engine() != null && info.engine().quantized())) f.toF32(name, arena);
            }
            f.config();
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void mutatedFilesFailOnlyWithFormatErrors() throws IOException {
        byte[] base = validFile(dir);
        readAll(SafetensorsFile.parse("base", MemorySegment.ofArray(base)));
        Random rnd = new Random(20240611);
        int rejected = 0, accepted = 0;
        for (int i = 0; i < 10000; i++) {
            byte[] m = mutate(base, rnd);
            try {
                SafetensorsFile f = i % 20 == 0 ? open(m, i) : SafetensorsFile.parse("mutant" + i, MemorySegment.ofArray(m));
                try (f) {
                    readAll(f);
                }
                accepted++;
            } catch (WeightsFormatException e) {
                assertTrue(e.getMessage().contains("mutant" + i), e.getMessage());
                rejected++;
            }
        }
        assertTrue(rejected > 5000 && accepted > 100, "rejected " + rejected + ", accepted " + accepted);
    }

    private SafetensorsFile open(byte[] m, int i) throws IOException {
        Path p = dir.resolve("mutant" + i + ".safetensors");
        Files.write(p, m);
        return SafetensorsFile.open(p);
    }
}
