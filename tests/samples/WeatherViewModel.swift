import Foundation

/// A day's forecast as shown in the list.
struct Forecast: Codable, Identifiable {
    let id: Date
    let highCelsius: Double
    let lowCelsius: Double
    let summary: String
}

enum WeatherError: Error {
    case badResponse(Int)
    case decoding(Error)
}

protocol WeatherService {
    func forecasts(city: String) async throws -> [Forecast]
}

final class HTTPWeatherService: WeatherService {
    private let baseURL: URL
    private let session: URLSession

    init(baseURL: URL, session: URLSession = .shared) {
        self.baseURL = baseURL
        self.session = session
    }

    func forecasts(city: String) async throws -> [Forecast] {
        let url = baseURL.appendingPathComponent("forecast").appending(queryItems: [URLQueryItem(name: "city", value: city)])
        let (data, response) = try await session.data(from: url)
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            throw WeatherError.badResponse((response as? HTTPURLResponse)?.statusCode ?? 0)
        }
        do {
            return try JSONDecoder().decode([Forecast].self, from: data)
        } catch {
            throw WeatherError.decoding(error)
        }
    }
}

@MainActor
final class WeatherViewModel: ObservableObject {
    @Published private(set) var forecasts: [Forecast] = []
    @Published private(set) var errorMessage: String?
    private let service: WeatherService

    init(service: WeatherService) {
        self.service = service
    }

    func load(city: String) async {
        do {
            forecasts = try await service.forecasts(city: city)
            errorMessage = nil
        } catch {
            errorMessage = "Could not load the forecast for \(city)."
        }
    }
}
