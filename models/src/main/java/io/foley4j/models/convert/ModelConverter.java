package io.foley4j.models.convert;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.foley4j.loader.OnnxModel;
import io.foley4j.loader.OnnxParser;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.WeightsFormatException;
import io.foley4j.models.bert.BertConfig;
import io.foley4j.models.bert.BertConverter;
import io.foley4j.models.bert.BertPrecision;
import io.foley4j.models.bert.BertWeights;
import io.foley4j.models.bert.HfBertConverter;
import io.foley4j.models.vit.HfVitConverter;
import io.foley4j.models.vit.VitConfig;
import io.foley4j.models.vit.VitWeights;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The converter behind the CLI's {@code convert} command: an ONNX file (BERT exports) or a Hugging Face checkpoint
 * folder ({@code config.json} + {@code *.safetensors}: BERT, CLIP vision, SigLIP vision) to the engine's safetensors
 * file, in a chosen {@link Precision}. The written file is reopened and bound to its model's weight table before
 * the report is returned, so a report means the engine can load the file.
 * <p>
 * Supported: ONNX -> bert in every precision; HF bert in every precision; HF clip-vision / siglip in fp32 only (the
 * ViT runs F32 or static INT8, which needs calibration frames: {@link io.foley4j.models.vit.VitQuantizer}).
 * {@code pytorch_model.bin} (a pickle) is not read.
 */
public final class ModelConverter {
    private ModelConverter() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static ConvertReport convert(Path input, Path output, ConvertOptions opts) throws IOException {
        if (!Files.exists(input)) throw new NoSuchFileException(input.toString(), null, "convert: input does not exist");
        if (Files.isDirectory(output)) {
            throw new IllegalArgumentException("convert: output " + output + " is a directory; give the file to write");
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (Files.isDirectory(input)) return convertFolder(input, output, opts);
        String name = input.getFileName().toString();
        if (name.endsWith(".safetensors") || name.equals("config.json")) {
            throw new WeightsFormatException(input.toString(), null, "a single checkpoint file: give the Hugging "
                    + "Face folder holding config.json and the *.safetensors shards");
        }
        if (!name.endsWith(".onnx")) {
            throw new WeightsFormatException(input.toString(), null, "neither an .onnx file nor a Hugging Face "
                    + "checkpoint folder");
        }
        return convertOnnx(input, output, opts);
    }

    private static ConvertReport convertOnnx(Path input, Path output, ConvertOptions opts) throws IOException {
        if (opts.family() != null && opts.family() != ModelFamily.BERT) {
            throw new WeightsFormatException(input.toString(), null, "ONNX input converts the bert family only, "
                    + "not " + opts.family().cliName + " (vision models convert from Hugging Face folders)");
        }
        try (Arena arena = Arena.ofConfined()) {
            OnnxModel m = OnnxParser.parse(input, arena);
            BertConfig c = BertConverter.inferConfig(m);
            BertConverter.convert(m, c, bertPrecision(opts.precision()), output);
        }
        return verify(input, output, ModelFamily.BERT, opts.precision(), "onnx", Files.size(input));
    }

    private static ConvertReport convertFolder(Path dir, Path output, ConvertOptions opts) throws IOException {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new WeightsFormatException(dir.toString(), null, "no config.json: not a Hugging Face checkpoint "
                    + "folder");
        }
        String json = Files.readString(configFile, StandardCharsets.UTF_8);
        String modelType = modelType(configFile, json);
        ModelFamily family = family(configFile, modelType, opts.family());
        List<Path> shards = shards(dir);
        long bytesIn = 0;
        for (Path p : shards) bytesIn += Files.size(p);
        List<SafetensorsFile> open = new ArrayList<>();
        try {
            for (Path p : shards) open.add(SafetensorsFile.open(p));
            if (family == ModelFamily.BERT) {
                HfBertConverter.convert(open, bertConfig(configFile, json), bertPrecision(opts.precision()), output,
                        dir.toString());
            } else {
                convertVision(dir, configFile, json, open, opts.precision(), output);
            }
        } finally {
            for (SafetensorsFile f : open) f.close();
        }
        return verify(dir, output, family, opts.precision(), "huggingface", bytesIn);
    }

    private static void convertVision(Path dir, Path configFile, String json, List<SafetensorsFile> shards,
                                      Precision p, Path output) throws IOException {
        if (p != Precision.FP32) {
            throw new IllegalArgumentException("convert " + dir + ": vision models convert to fp32 only, not "
                    + p.cliName + " (static INT8 needs calibration frames: see VitQuantizer)");
        }
        VitConfig c;
        try {
            c = VitConfig.fromHuggingFace(json);
        } catch (IllegalArgumentException e) {
            throw new WeightsFormatException(configFile.toString(), null, e.getMessage(), e);
        }
        try (Arena arena = Arena.ofConfined()) {
            VitWeights w;
            if (shards.size() == 1) {
                w = HfVitConverter.convert(shards.getFirst(), c, arena);
            } else {
                w = HfVitConverter.convert(c, hf -> {
                    for (SafetensorsFile f : shards) {
                        if (f.contains(hf)) return f.toF32(hf, arena);
                    }
                    throw new WeightsFormatException(dir.toString(), hf, "missing from every *.safetensors shard");
                });
            }
            w.write(output, "huggingface " + dir);
        }
    }

    /** Reopens the written file, binds it to its model's table and counts what it holds. */
    private static ConvertReport verify(Path input, Path output, ModelFamily family, Precision p, String format,
                                        long bytesIn) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(output); Arena arena = Arena.ofConfined()) {
            if (family == ModelFamily.BERT) {
                BertWeights.bind(f, BertConfig.fromJson(f.config()));
            } else {
                VitWeights.load(f, arena, false);
            }
            return new ConvertReport(input, output, family, p, format, f.names().size(), bytesIn, Files.size(output),
                    f.config());
        }
    }

    static BertPrecision bertPrecision(Precision p) {
        return switch (p) {
            case FP32 -> BertPrecision.FP32;
            case FP16 -> BertPrecision.F16;
            case BF16 -> BertPrecision.BF16;
            case INT8_ROW -> BertPrecision.INT8;
            case INT8_BLOCK -> BertPrecision.INT8_BLOCK;
        };
    }

    private static BertConfig bertConfig(Path configFile, String json) throws WeightsFormatException {
        try {
            return BertConfig.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new WeightsFormatException(configFile.toString(), null, e.getMessage(), e);
        }
    }

    private static String modelType(Path configFile, String json) throws WeightsFormatException {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new WeightsFormatException(configFile.toString(), null, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) throw new WeightsFormatException(configFile.toString(), null, "not a JSON object");
        return n.path("model_type").asText("");
    }

    /** The requested family checked against model_type, or the one model_type names. */
    private static ModelFamily family(Path configFile, String modelType, ModelFamily requested)
            throws WeightsFormatException {
        ModelFamily detected = ModelFamily.ofModelType(modelType);
        if (requested == null) {
            if (detected == null) {
                throw new WeightsFormatException(configFile.toString(), null, "model_type '" + modelType + "' is "
                        + "none of the families this converter knows (bert, clip*, siglip*)");
            }
            return detected;
        }
        String where = configFile.toString();
        if (detected == null) {
            if (!modelType.isEmpty()) {
                throw new WeightsFormatException(where, null, "family " + requested.cliName + " was asked for but "
                        + "model_type is '" + modelType + "'");
            }
            if (requested.vision()) {
                throw new WeightsFormatException(where, null, "no model_type: a vision config must name clip* or "
                        + "siglip*");
            }
            return requested;
        }
        if (detected == requested || (requested == ModelFamily.VIT && detected.vision())) return detected;
        throw new WeightsFormatException(where, null, "family " + requested.cliName + " was asked for but "
                + "model_type is '" + modelType + "'");
    }

    /** The folder's *.safetensors files, sorted; refuses a pickle-only folder with a clear message. */
    private static List<Path> shards(Path dir) throws IOException {
        List<Path> shards;
        try (Stream<Path> s = Files.list(dir)) {
            shards = s.filter(p -> p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p))
                    .sorted().toList();
        }
        if (shards.isEmpty()) {
            boolean pickle = Files.exists(dir.resolve("pytorch_model.bin"));
            throw new WeightsFormatException(dir.toString(), null, pickle
                    ? "only pytorch_model.bin (a PyTorch pickle), which this converter does not read: save the "
                    + "checkpoint as safetensors first (transformers: model.save_pretrained(dir, safe_serialization=True))"
                    : "no *.safetensors weights next to config.json");
        }
        return shards;
    }
}
