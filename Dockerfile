# syntax=docker/dockerfile:1
# Multi-stage: build and publish with the SDK, run on the ASP.NET runtime image as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig DiscordLedgerBot.sln ./
COPY core/DiscordLedgerBot.Core.csproj core/
COPY bot/Host/DiscordLedgerBot.Host.csproj bot/Host/
COPY bot/Discord/DiscordLedgerBot.Discord.csproj bot/Discord/
COPY bot/Discord.Voice/DiscordLedgerBot.Voice.csproj bot/Discord.Voice/
RUN dotnet restore bot/Host/DiscordLedgerBot.Host.csproj
COPY core/ core/
COPY bot/Host/ bot/Host/
COPY bot/Discord/ bot/Discord/
COPY bot/Discord.Voice/ bot/Discord.Voice/
COPY assets/ assets/
# Only the production host is published: emulators and the sandbox entry point are never in the image.
RUN dotnet publish bot/Host/DiscordLedgerBot.Host.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# Speech:Engine=whisper: whisper.cpp's CPU runtime (runtimes/linux-x64/lib*whisper.so from Whisper.net.Runtime, part of the
# publish output) links OpenMP's libgomp; libstdc++ and libgcc are in the image already. The model is not: mount it.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
# The file store lives under /data; mount a volume there to keep the outbox across container restarts.
RUN mkdir -p /data && chown -R app:app /data
ENV ASPNETCORE_URLS=http://+:8080 \
    Storage__DataDirectory=/data \
    Registry__StorePath=/data/registry/registry.json \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
USER app
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["dotnet", "bot.dll", "healthcheck"]
ENTRYPOINT ["dotnet", "bot.dll"]
