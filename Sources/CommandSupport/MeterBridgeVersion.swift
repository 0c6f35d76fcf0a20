/// The version printed by `--version` and sent in the Metronome `User-Agent`.
public enum MeterBridgeVersion {
    public static let current = "0.1.0"
}
