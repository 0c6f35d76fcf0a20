/// The version sent in `User-Agent: meterbridge/<version>`.
public enum MeterBridgeVersion {
    public static let current = "0.1.0"
}
