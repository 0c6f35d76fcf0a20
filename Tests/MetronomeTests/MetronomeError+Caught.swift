import Metronome

extension MetronomeError {
    /// The error thrown by `body`, or nil.
    static func caught(_ body: () async throws -> Void) async -> MetronomeError? {
        do {
            try await body()
            return nil
        } catch let error as MetronomeError {
            return error
        } catch {
            return nil
        }
    }
}
