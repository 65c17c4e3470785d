package io.foley4j.pipeline.foleynet;

import io.foley4j.engine.DType;
import io.foley4j.engine.WorkerPool;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.models.diffusion.DitWeights;
import io.foley4j.models.vit.Vit;
import io.foley4j.models.vit.VitWeights;
import io.foley4j.models.vocoder.VocosWeights;
import io.foley4j.pipeline.vocoder.VocosVocoder;
import io.foley4j.pipeline.diffusion.FlowSampler;
import io.foley4j.pipeline.diffusion.Prediction;
import io.foley4j.pipeline.diffusion.Sampler;
import io.foley4j.pipeline.diffusion.VpSampler;
import io.foley4j.pipeline.diffusion.VpSchedule;
import io.foley4j.pipeline.foley.Precision;
import io.foley4j.pipeline.foley.TextEncoder;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A loaded FoleyNet folder: config and every component's weights, memory-mapped (converted or repacked at load
 * time as the precision asks). Immutable after loading; {@link NeuralFoley} runs it.
 *
 * <p>Precision {@link Precision#MIXED} is the design's edge mode: the text encoder dynamic INT8, the ViT static INT8
 * (its file must carry calibrated activation scales: {@code video.vitInt8}), the decoder's feed-forward INT8 and its
 * LSTM FP16, the aligner's LSTM FP16. {@link Precision#FP32} runs everything in FP32.
 */
public final class FoleyNet implements AutoCloseable {
    public final FoleyNetConfig config;
    public final Precision precision;
    public final Path dir;
    final Vit vit;                    // null: motion features only
    final TextEncoder text;
    final Aligner aligner;
    final DitWeights decoder;
    final MelVocoder vocoder;
    private final Arena arena;
    private final List<SafetensorsFile> files = new ArrayList<>();

    private FoleyNet(FoleyNetConfig config, Precision precision, Path dir, Path home, WorkerPool pool) throws IOException {
        this.config = config;
        this.precision = precision;
        this.dir = dir;
        this.arena = Arena.ofShared();
        boolean ok = false;
        try {
            boolean mixed = precision == Precision.MIXED;
            FoleyNetConfig.Video v = config.video();
            if (v.vit() != null) {
                SafetensorsFile f = open(v.vit());
                VitWeights w = VitWeights.load(f, arena, true);
                vit = new Vit(w);
            } else {
                vit = null;
            }
            text = TextEncoder.miniLm(home, precision, pool);
            aligner = Aligner.load(open(config.aligner().file()), config.aligner(), mixed ? DType.F16 : DType.F32, arena);
            decoder = DitWeights.load(open(config.decoder().file()), config.decoder().dit(),
                    mixed ? DitWeights.Precision.MIXED : DitWeights.Precision.FP32, arena);
            FoleyNetConfig.Vocoder vc = config.vocoder();
            vocoder = switch (vc.kind()) {
                case "griffin-lim" -> new GriffinLimVocoder(vc);
                case "vocos" -> new VocosMelVocoder(new VocosVocoder(
                        VocosWeights.load(open(vc.file()), vc.vocos(), arena), arena));
                default -> throw new IllegalArgumentException("foleynet.json: vocoder.kind '" + vc.kind()
                        + "' is not one of vocos, griffin-lim");
            };
            int vitDim = vit == null ? 0 : vit.config().outputDim();
            if (config.featureDim(vitDim) != config.aligner().inputDim()) {
                throw new IllegalArgumentException("foleynet.json: aligner.inputDim " + config.aligner().inputDim()
                        + " != visual features " + config.featureDim(vitDim) + " (ViT " + vitDim + " + motion "
                        + v.motionDim() + ")");
            }
            ok = true;
        } finally {
            if (!ok) close();
        }
    }

    /** Loads the folder {@code dir}; {@code home} caches the converted text encoder. */
    public static FoleyNet open(Path dir, Precision precision, WorkerPool pool, Path home) throws IOException {
        return new FoleyNet(FoleyNetConfig.read(dir), precision, dir, home, pool);
    }

    private SafetensorsFile open(String name) throws IOException {
        Path p = dir.resolve(name).normalize();
        if (!p.startsWith(dir.normalize())) {
            throw new IllegalArgumentException("foleynet.json: weight file '" + name + "' is outside the model folder");
        }
        if (!Files.isRegularFile(p)) throw new java.nio.file.NoSuchFileException(p.toString(), null, "named in foleynet.json");
        SafetensorsFile f = SafetensorsFile.open(p);
        files.add(f);
        return f;
    }

    /** A fresh sampler for {@code numel} values as the config says ({@code steps} 0: the config's). */
    public Sampler sampler(int steps, int numel) {
        FoleyNetConfig.Sampler s = config.sampler();
        int n = steps > 0 ? steps : s.steps();
        Prediction p = switch (s.prediction().toLowerCase(Locale.ROOT)) {
            case "epsilon", "eps" -> Prediction.EPSILON;
            case "v" -> Prediction.V;
            case "velocity", "flow" -> Prediction.VELOCITY;
            default -> throw new IllegalArgumentException("foleynet.json: sampler.prediction '" + s.prediction() + "'");
        };
        return switch (s.method().toLowerCase(Locale.ROOT)) {
            case "ddpm" -> VpSampler.ddpm(schedule(), p, n, numel);
            case "ddim" -> VpSampler.ddim(schedule(), p, n, s.eta(), numel);
            case "dpm++2m", "dpmpp2m", "dpm-solver++" -> VpSampler.dpmSolverPP2M(schedule(), p, n, numel);
            case "euler" -> FlowSampler.euler(p, n, numel);
            case "heun" -> FlowSampler.heun(p, n, numel);
            default -> throw new IllegalArgumentException("foleynet.json: sampler.method '" + s.method()
                    + "' is not one of ddpm, ddim, dpm++2m, euler, heun");
        };
    }

    private VpSchedule schedule() {
        FoleyNetConfig.Sampler s = config.sampler();
        return VpSchedule.linear(s.trainSteps(), s.betaStart(), s.betaEnd());
    }

    /** Bytes of every weight file of the model (the text encoder's converted file excluded). */
    public long weightBytes() {
        long n = 0;
        for (SafetensorsFile f : files) n += f.entries().values().stream().mapToLong(e -> e.end() - e.begin()).sum();
        return n;
    }

    public String describe() {
        return String.format(Locale.ROOT, "FoleyNet %s (%s, %s; ViT %s; decoder %s; vocoder %s)", config.name(),
                dir, precision.name().toLowerCase(Locale.ROOT), vit == null ? "none" : vit.config().name(),
                config.decoder().dit(), vocoder.describe());
    }

    @Override
    public void close() {
        if (text != null) text.close();
        for (SafetensorsFile f : files) f.close();
        arena.close();
    }
}
