"""Subcommands of `parley safety`: modules with add_arguments(parser) and run(options, stdout)."""

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    # name: (module, one-line help)
    "train": ("parley.safety.model.cli_train", "train the built-in detection model"),
    "eval": ("parley.safety.model.cli_eval", "evaluate the detection model on labelled data"),
    "calibrate-holds": ("parley.safety.model.cli_calibrate",
                        "measure where the model may hold (precision >= 0.95 on eval)"),
    "verify-audit": ("parley.safety.cli_audit", "verify the hash chain of the audit log"),
    "run-jobs": ("parley.safety.cli_jobs",
                 "run the periodic jobs once (escalate, expire, purge, re-score watched)"),
    "rules": ("parley.safety.screening.cli_rules", "word/phrase rules: add, list, remove"),
    "hashes": ("parley.safety.screening.cli_hashes", "hash lists: import, export CSV"),
    "report": ("parley.safety.transparency.cli_report",
               "transparency report for a period (text, JSON, CSV)"),
    "export-statements": ("parley.safety.transparency.cli_export",
                          "statements of reasons for the DSA Transparency Database"),
}
