package io.foley4j.pipeline.cli;

import io.foley4j.models.convert.ConvertOptions;
import io.foley4j.models.convert.ConvertReport;
import io.foley4j.models.convert.ModelConverter;
import io.foley4j.models.convert.ModelFamily;
import io.foley4j.models.convert.Precision;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "convert", description = "Convert an ONNX model or a Hugging Face checkpoint folder (config.json + "
        + "*.safetensors) into the engine's safetensors format, quantized on request.")
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "model.onnx or a Hugging Face folder")
    Path input;
    @Parameters(index = "1", description = "output .safetensors (written to a temporary name, then renamed)")
    Path output;
    @Option(names = "--family", description = "bert, clip-vision or siglip (default: detected)")
    String family;
    @Option(names = "--precision", defaultValue = "fp32", description = "fp32, fp16, bf16, int8-row or int8-block")
    String precision;
    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ConvertOptions o = ConvertOptions.defaults().withPrecision(Precision.parse(precision));
        if (family != null) o = o.withFamily(ModelFamily.parse(family));
        ConvertReport r = ModelConverter.convert(input, output, o);
        System.out.println(json ? new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(r) : r.describe());
        return 0;
    }
}
