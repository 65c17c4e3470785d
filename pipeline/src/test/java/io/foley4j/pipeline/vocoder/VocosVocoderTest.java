package io.foley4j.pipeline.vocoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Diff;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.models.vocoder.VocosConfig;
import io.foley4j.models.vocoder.VocosWeights;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The tiny vocoder end to end (mel to waveform) against the committed torch.istft output of
 * models/src/test/resources/vocoder/generate_reference.py.
 */
class VocosVocoderTest {
    static final Path DIR = Path.of("../models/src/test/resources/vocoder");
    /** FP32 waveform vs torch: |a - e| / max(|e|, 1); samples reach about 10. */
    static final double FP32_TOL = 1e-4;

    @Test
    void waveformMatchesTorchIstftAtTwoLengths() throws Exception {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2);
             SafetensorsFile weights = SafetensorsFile.open(DIR.resolve("vocos_tiny.safetensors"));
             SafetensorsFile ref = SafetensorsFile.open(DIR.resolve("vocos_reference.safetensors"))) {
            VocosVocoder v = new VocosVocoder(VocosWeights.load(weights, VocosConfig.tiny(), arena), arena);
            for (String c : new String[] {"a", "b"}) {
                Tensor mel = ref.toF32(c + ".mel", arena);
                float[] expected = ref.toF32(c + ".audio", arena).toFloats();
                float[] audio = v.synthesize(pool, mel);
                assertEquals(expected.length, audio.length, c + ": samples");
                assertEquals((mel.dim(0) - 1) * v.config().hop(), audio.length, c + ": samples");
                Diff d = Diff.of(audio, expected, 1.0);
                assertTrue(d.maxRel() < FP32_TOL, c + ": " + d);
            }
        }
    }

    @Test
    void shortOutputBufferIsRejected() throws Exception {
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(1)) {
            VocosVocoder v = new VocosVocoder(VocosWeights.random(VocosConfig.tiny(), 1, arena), arena);
            Tensor mel = Tensor.allocate(arena, io.foley4j.engine.DType.F32, 4, v.config().nMels());
            var e = assertThrows(IllegalArgumentException.class, () -> v.synthesize(pool, mel, new float[47]));
            assertTrue(e.getMessage().contains("vocoder: operand out needs 48 samples"), e.getMessage());
        }
    }
}
