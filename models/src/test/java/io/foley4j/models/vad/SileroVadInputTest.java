package io.foley4j.models.vad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.DType;
import io.foley4j.engine.WorkerPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input to the Silero VAD: clear errors naming what is wrong; and streaming state behaves (reset restarts).
 * Reads the fetched model: run scripts/fetch-test-data.sh first. */
class SileroVadInputTest {

    private static void fails(Executable e, String... words) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String word : words) {
            assertTrue(ex.getMessage().contains(word), "message '" + ex.getMessage() + "' lacks '" + word + "'");
        }
    }

    @Test
    void badInputIsRejected() throws Exception {
        fails(() -> SileroVadConfig.forRate(44_100), "44100", "16000 or 8000");
        try (WorkerPool pool = new WorkerPool(1)) {
            fails(() -> SileroVad.load(TestAudio.sileroModel(), 22_050, DType.F32, pool), "22050");
            fails(() -> SileroVad.load(TestAudio.sileroModel(), 16_000, DType.BF16, pool), "F32, F16 or I8_ROW");
            try (SileroVad vad = SileroVad.load(TestAudio.sileroModel(), 16_000, DType.F32, pool)) {
                fails(() -> vad.process(new float[500]), "512", "500");
                fails(() -> vad.process(new float[1024]), "512", "1024");
                fails(() -> vad.process(null), "512", "null");
            }
            try (SileroVad vad = SileroVad.load(TestAudio.sileroModel(), 8_000, DType.F32, pool)) {
                fails(() -> vad.process(new float[512]), "256", "8000");
            }
        }
    }

    @Test
    void resetRestartsTheStream() throws Exception {
        float[] audio = TestAudio.mixed16k();
        try (WorkerPool pool = new WorkerPool(1);
             SileroVad vad = SileroVad.load(TestAudio.sileroModel(), 16_000, DType.F32, pool)) {
            float[] first = vad.speechProbabilities(java.util.Arrays.copyOf(audio, 40 * 512));
            float[] again = vad.speechProbabilities(java.util.Arrays.copyOf(audio, 40 * 512 + 100)); // partial tail
            assertEquals(41, again.length);
            for (int i = 0; i < first.length; i++) {
                // 1e-6, not exact: Vector API reductions may round differently once C2 compiles a kernel
                assertEquals(first[i], again[i], 1e-6f, "chunk " + i + " after a reset must repeat");
            }
        }
    }
}
