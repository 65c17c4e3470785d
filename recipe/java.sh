#!/usr/bin/env bash
# Runs io.foley4j.pipeline.recipe.RecipeDump (or another class given as RECIPE_MAIN) on the pipeline's test class path:
#   recipe/java.sh clips SOUNDS OUT | text CAPTIONS MAX OUT | scenes COUNT|KIND:COUNT,... SECONDS FPS SEED OUT [FEATURES]
#                  | generate MODEL VIDEO SEED OUT_DIR PROMPT... | parity MODEL REF | waves SOUNDS OUT | vocos MODEL REF
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA="${FOLEY4J_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
CPF="$ROOT/pipeline/target/recipe-classpath.txt"
(cd "$ROOT" && mvn -q -B -pl pipeline -am -DskipTests test-compile >&2)
# the MiniLM conversion is cached where bin/foley keeps it
export FOLEY4J_HOME="${FOLEY4J_HOME:-$ROOT/.cache/foley4j}"
mkdir -p "$ROOT/.cache" && { [ -f "$ROOT/.cache/.gitignore" ] || echo "*" > "$ROOT/.cache/.gitignore"; }
[ -f "$CPF" ] || (cd "$ROOT" && mvn -q -B -pl pipeline dependency:build-classpath -Dmdep.outputFile="$CPF" >&2)
CP="$ROOT/pipeline/target/test-classes:$ROOT/pipeline/target/classes"
for m in kernels engine loader models; do CP="$CP:$ROOT/$m/target/classes"; done
CP="$CP:$(sed -E 's#[^:]*/foley4j-(kernels|engine|loader|models)-[^:]*\.jar:?##g' "$CPF")"
exec "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m -XX:-UseProfiledLoopPredicate \
    -XX:PerMethodRecompilationCutoff=100000 -cp "$CP" \
    "${RECIPE_MAIN:-io.foley4j.pipeline.recipe.RecipeDump}" "$@"
