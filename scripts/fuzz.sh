#!/usr/bin/env bash
# Builds the libFuzzer harnesses of Fuzz/ and runs each for a number of executions.
#
# usage: scripts/fuzz.sh [HARNESS...] [-runs=N] [LIBFUZZER FLAG...]
#   HARNESS   tflite dlib torch token json arguments (default: all)
#   -runs=N   executions per harness (default 200000); any other -flag=value goes to libFuzzer
#   --build   only build the binaries (.build-fuzz/bin/HARNESS)
#
# The parsers that read untrusted bytes, each fuzzed through the entry point the tool uses:
#   tflite     NeuralNetwork(tfliteBytes:) — FlatBufferReader, TFLiteModel, constants, TFLiteGraphBuilder
#   dlib       DlibShapePredictorModel (then predict) and NeuralNetwork(dlibResNetBytes:) — DlibReader
#   torch      TorchCheckpoint (PickleReader) and NeuralNetwork(mtcnn:) for each MTCNN stage
#   token      PaginationToken.decode and Base64URL (NextToken)
#   json       JSON(parsing:) (stored result items), with a render/parse round trip
#   arguments  ArgumentParser(table: CommandTable.all).parse (argv split at NUL bytes and newlines)
#
# Build: swiftc directly (SwiftPM's --sanitize=fuzzer gives no usable fuzz executable), with
# -sanitize=fuzzer,address: SIMDFMA (-parse-stdlib), FaceScan and FaceScanCLI as modules with
# -enable-testing, each harness linked against them; libFuzzer supplies main. Everything is written
# under .build-fuzz/ (objects in obj/, binaries in bin/); the objects are rebuilt only when a source or
# the flags changed. FACESCAN_MARCH selects -march as in Package.swift (default native).
#
# Run: the committed seeds (Fuzz/Corpus/HARNESS, written by scripts/make-fuzz-seeds.py) are read,
# new inputs go to .build-fuzz/corpus/HARNESS, a crashing input to .build-fuzz/crashes/HARNESS/, the
# log to .build-fuzz/logs/HARNESS.log. libFuzzer stops at the first crash; reproduce it with
# `.build-fuzz/bin/HARNESS CRASH_FILE`. Exit status 1 if any harness crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL=(tflite dlib torch token json arguments)
declare -A SOURCE=([tflite]=TFLiteFuzz [dlib]=DlibFuzz [torch]=TorchFuzz [token]=TokenFuzz [json]=JSONFuzz [arguments]=ArgumentsFuzz)
# Largest input per harness: TFLite and dlib seeds are a few KB to 20 KB; texts are short.
declare -A MAX_LEN=([tflite]=65536 [dlib]=65536 [torch]=65536 [token]=1024 [json]=8192 [arguments]=4096)

RUNS=200000
BUILD_ONLY=0
HARNESSES=()
EXTRA=()
for a in "$@"; do
    case "$a" in
        -runs=*) RUNS="${a#-runs=}" ;;
        --build) BUILD_ONLY=1 ;;
        -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) EXTRA+=("$a") ;;
        *)
            [[ -n "${SOURCE[$a]:-}" ]] || { echo "fuzz.sh: unknown harness \"$a\" (harnesses: ${ALL[*]})" >&2; exit 2; }
            HARNESSES+=("$a") ;;
    esac
done
[[ ${#HARNESSES[@]} -gt 0 ]] || HARNESSES=("${ALL[@]}")

OUT=.build-fuzz
OBJ=$OUT/obj
BIN=$OUT/bin
mkdir -p "$OBJ" "$BIN" "$OUT/logs"

SWIFTC=${SWIFTC:-swiftc}
MARCH=${FACESCAN_MARCH:-native}
PKG_CFLAGS=$(pkg-config --cflags libavformat libavcodec libswscale libavutil freetype2)
PKG_LIBS=$(pkg-config --libs libavformat libavcodec libswscale libavutil freetype2)
# -O keeps Swift's overflow and bounds checks (only -Ounchecked removes them) and makes the loaders
# fast enough for millions of executions.
COMMON=(-swift-version 5 -O -g -sanitize=fuzzer,address -parse-as-library -Xcc "-march=$MARCH" -I "$OBJ"
        -I Sources/CFFmpeg -I Sources/CFreeType $PKG_CFLAGS)
STAMP="$($SWIFTC --version 2>&1 | head -1) ${COMMON[*]}"

# up_to_date TARGET SOURCE...: the target exists, is newer than every source and was built with these flags.
up_to_date() {
    local target=$1; shift
    [[ -f "$target" && -f "$target.flags" && "$(cat "$target.flags")" == "$STAMP" ]] || return 1
    local s
    for s in "$@"; do [[ "$s" -nt "$target" ]] && return 1; done
    return 0
}

# module NAME EXTRA_FLAGS... -- SOURCES...: a module and one object file (whole-module).
module() {
    local name=$1; shift
    local flags=()
    while [[ $1 != -- ]]; do flags+=("$1"); shift; done
    shift
    if up_to_date "$OBJ/$name.o" "$@"; then return; fi
    echo "fuzz.sh: compiling $name ($# files)" >&2
    "$SWIFTC" "${COMMON[@]}" "${flags[@]}" -wmo -module-name "$name" -emit-module \
        -emit-module-path "$OBJ/$name.swiftmodule" -emit-object -o "$OBJ/$name.o" "$@"
    echo "$STAMP" > "$OBJ/$name.o.flags"
}

# swift-crypto (FaceScan's SHA-256 and HMAC), built by SwiftPM without instrumentation: its module
# for the compiler, its objects for the linker.
SPM=$OUT/spm/release
crypto() {
    echo "fuzz.sh: building swift-crypto with SwiftPM" >&2
    swift build -c release --scratch-path "$OUT/spm" --target Crypto >&2
    mapfile -t CRYPTO_OBJS < <(find "$SPM"/Crypto.build "$SPM"/CCryptoBoringSSL.build "$SPM"/CCryptoBoringSSLShims.build \
        "$SPM"/CryptoBoringWrapper.build -name '*.o' | sort)
    CRYPTO_FLAGS=(-I "$SPM/Modules")
}

build() {
    crypto
    mapfile -t simd < <(find Sources/SIMDFMA -name '*.swift' | sort)
    mapfile -t lib < <(find Sources/FaceScan -name '*.swift' | sort)
    module SIMDFMA -parse-stdlib -- "${simd[@]}"
    module FaceScan -enable-testing "${CRYPTO_FLAGS[@]}" -- "${lib[@]}"
    local h needs_cli=0
    for h in "${HARNESSES[@]}"; do [[ $h == arguments ]] && needs_cli=1; done
    if [[ $needs_cli == 1 ]]; then
        mapfile -t cli < <(find Sources/FaceScanCLI -name '*.swift' | sort)
        module FaceScanCLI -enable-testing "${CRYPTO_FLAGS[@]}" -- "${cli[@]}"
    fi
    for h in "${HARNESSES[@]}"; do
        local objs=("$OBJ/FaceScan.o" "$OBJ/SIMDFMA.o")
        [[ $h == arguments ]] && objs=("$OBJ/FaceScanCLI.o" "${objs[@]}")
        local srcs=("Fuzz/${SOURCE[$h]}.swift" Fuzz/FuzzSupport.swift)
        if up_to_date "$BIN/$h" "${srcs[@]}" "${objs[@]}"; then continue; fi
        echo "fuzz.sh: linking $BIN/$h" >&2
        "$SWIFTC" "${COMMON[@]}" "${CRYPTO_FLAGS[@]}" -module-name "${SOURCE[$h]}" -use-ld=lld "${srcs[@]}" "${objs[@]}" \
            "${CRYPTO_OBJS[@]}" $PKG_LIBS -o "$BIN/$h"
        echo "$STAMP" > "$BIN/$h.flags"
    done
}

build
[[ $BUILD_ONLY == 1 ]] && exit 0

# The Swift runtime's backtracer would catch a trap first (and trips ASan reading memory); libFuzzer
# prints the stack instead. Swift's runtime keeps metadata caches for the life of the process, which
# LeakSanitizer would report as leaks.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:handle_abort=1:allocator_may_return_null=1}

status=0
summary=()
for h in "${HARNESSES[@]}"; do
    corpus=$OUT/corpus/$h
    crashes=$OUT/crashes/$h
    log=$OUT/logs/$h.log
    mkdir -p "$corpus" "$crashes"
    before=$(find "$crashes" -type f | wc -l)
    echo "fuzz.sh: $h: $RUNS runs (log: $log)" >&2
    start=$(date +%s.%N)
    set +e
    "$BIN/$h" -runs="$RUNS" -max_len="${MAX_LEN[$h]}" -timeout=60 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "${EXTRA[@]}" "$corpus" "Fuzz/Corpus/$h" > "$log" 2>&1
    rc=$?
    set -e
    end=$(date +%s.%N)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    found=$(( $(find "$crashes" -type f | wc -l) - before ))
    if [[ $rc != 0 && $found == 0 ]]; then found=1; fi
    [[ $found == 0 ]] || status=1
    seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    summary+=("$(printf '%-10s %12s %8s %9s' "$h" "${execs:-?}" "$found" "$seconds")")
    if [[ $found != 0 ]]; then
        grep -E '^(==[0-9]+==ERROR|Fatal error|.*error:|SUMMARY|artifact_prefix|Test unit written)' "$log" | head -8 >&2 || true
    fi
done

printf '%-10s %12s %8s %9s\n' harness executions crashes seconds
printf '%s\n' "${summary[@]}"
exit $status
