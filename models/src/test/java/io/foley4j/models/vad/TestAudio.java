package io.foley4j.models.vad;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed test WAV and the fetched Silero model (see scripts/fetch-test-data.sh). */
final class TestAudio {
    private TestAudio() {}

    /** {@code .cache/testdata/silero_vad_v5.onnx} under the repository root; fails (never skips) when absent. */
    static Path sileroModel() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("scripts/fetch-test-data.sh"))) {
                Path p = dir.resolve(".cache/testdata/silero_vad_v5.onnx");
                if (!Files.isRegularFile(p)) {
                    fail("missing " + p + ": run scripts/fetch-test-data.sh (npm pack @ricky0123/vad-web@0.0.31) first");
                }
                return p;
            }
        }
        return fail("repository root (with scripts/fetch-test-data.sh) not found above " + Path.of("").toAbsolutePath());
    }

    /** mixed.wav (made by make_audio.py): 16 kHz mono 16-bit, samples / 32768. */
    static float[] mixed16k() throws IOException {
        byte[] b;
        try (InputStream in = TestAudio.class.getResourceAsStream("/vad/mixed.wav")) {
            if (in == null) fail("test resource /vad/mixed.wav missing");
            b = in.readAllBytes();
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 12, rate = 0;
        while (pos + 8 <= b.length) { // RIFF chunks: "fmt " (rate at +4), then "data"
            String id = new String(b, pos, 4, java.nio.charset.StandardCharsets.US_ASCII);
            int size = bb.getInt(pos + 4);
            if (id.equals("fmt ")) rate = bb.getInt(pos + 12);
            if (id.equals("data")) {
                if (rate != 16_000) fail("mixed.wav is " + rate + " Hz, expected 16000");
                float[] x = new float[size / 2];
                for (int i = 0; i < x.length; i++) x[i] = bb.getShort(pos + 8 + 2 * i) / 32768f;
                return x;
            }
            pos += 8 + size + (size & 1);
        }
        return fail("mixed.wav has no data chunk");
    }
}
