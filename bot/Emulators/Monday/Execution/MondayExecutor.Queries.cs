using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DiscordLedgerBot.Emulators.Monday.Execution;

/// <summary>A column value as read through the <c>ColumnValue</c> interface.</summary>
internal sealed record ColumnValueView(ItemRecord Item, ColumnRecord Column, string? Stored) : ITypedSource
{
    public string GraphQLTypeName => ColumnValues.GraphQLTypeName(Column.Type);
}

internal sealed record GroupView(BoardRecord Board, GroupRecord Group);

internal sealed record ItemsPageResult(string? Cursor, IReadOnlyList<ItemRecord> Items);

internal sealed partial class MondayExecutor
{
    private const int MaxItemsPageLimit = 500;
    private const int MaxItemIdsPerQuery = 100;

    private object? ResolveQuery(string field, JsonObject args)
    {
        switch (field)
        {
            case "boards":
                {
                    var ids = IdList(args, "ids");
                    var state = OptionalString(args, "state") ?? "active";
                    var kind = OptionalString(args, "board_kind");
                    var workspaces = IdList(args, "workspace_ids");
                    var boards = State.Boards.Where(b => b.State != "deleted" || state is "deleted" or "all")
                        .Where(b => ids.Count == 0 || ids.Contains(b.Id))
                        .Where(b => state == "all" || b.State == state)
                        .Where(b => kind is null || b.BoardKind == kind)
                        .Where(b => workspaces.Count == 0 || (b.WorkspaceId is { } w && workspaces.Contains(w)));
                    return Paginate(boards, args);
                }

            case "items":
                {
                    var ids = IdList(args, "ids");
                    if (ids.Count > MaxItemIdsPerQuery)
                    {
                        throw MondayApiException.InvalidArgument($"Too many item ids: at most {MaxItemIdsPerQuery} per query");
                    }

                    var excludeNonActive = OptionalBool(args, "exclude_nonactive");
                    var items = State.Items.Where(i => ids.Count == 0 || ids.Contains(i.Id))
                        .Where(i => i.State != "deleted" && (!excludeNonActive || i.State == "active"));
                    if (OptionalBool(args, "newest_first"))
                    {
                        items = items.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id);
                    }

                    return ids.Count > 0 ? items.ToList() : Paginate(items, args);
                }

            case "next_items_page":
                return NextItemsPage(OptionalString(args, "cursor")!, OptionalInt(args, "limit", 25));
            case "items_page_by_column_values":
                return ItemsPageByColumnValues(args);
            case "users":
                {
                    var ids = IdList(args, "ids");
                    var emails = StringList(args, "emails");
                    var name = OptionalString(args, "name");
                    var users = State.Users.Where(u => ids.Count == 0 || ids.Contains(u.Id))
                        .Where(u => emails.Count == 0 || emails.Contains(u.Email, StringComparer.OrdinalIgnoreCase))
                        .Where(u => name is null || u.Name.Contains(name, StringComparison.OrdinalIgnoreCase));
                    return PaginateWithDefault(users, args, 200);
                }

            case "me":
                return State.Users.FirstOrDefault(u => u.Id == _context.UserId)
                    ?? throw new MondayApiException("InvalidUserIdException", "The acting user does not exist in the emulator state", new JsonObject { ["user_id"] = _context.UserId }, 200);
            case "account":
                return State.Account;
            case "workspaces":
                {
                    var ids = IdList(args, "ids");
                    return Paginate(State.Workspaces.Where(w => ids.Count == 0 || ids.Contains(w.Id)), args);
                }

            case "updates":
                {
                    var ids = IdList(args, "ids");
                    return Paginate(State.Updates.Where(u => ids.Count == 0 || ids.Contains(u.Id)).OrderByDescending(u => u.CreatedAt), args);
                }

            case "tags":
                {
                    var ids = IdList(args, "ids");
                    return State.Tags.Where(t => ids.Count == 0 || ids.Contains(t.Id)).ToList();
                }

            case "complexity":
                return ComplexityJson();
            case "version":
                return VersionJson(_context.Version);
            case "versions":
                return MondayApiVersions.All.Select(VersionJson).ToList();
            default:
                return Unresolved.Instance;
        }
    }

    private JsonObject ComplexityJson() => new()
    {
        ["before"] = _context.Complexity.Before,
        ["after"] = _context.Complexity.After,
        ["query"] = _context.Complexity.Query,
        ["reset_in_x_seconds"] = _context.Complexity.ResetInSeconds,
    };

    private static JsonObject VersionJson(MondayApiVersion version) => new()
    {
        ["kind"] = version.Kind,
        ["value"] = version.Value,
        ["display_name"] = version.DisplayName,
    };

    private static List<T> Paginate<T>(IEnumerable<T> source, JsonObject args) => PaginateWithDefault(source, args, 25);

    private static List<T> PaginateWithDefault<T>(IEnumerable<T> source, JsonObject args, int defaultLimit)
    {
        var limit = OptionalInt(args, "limit", defaultLimit);
        var page = OptionalInt(args, "page", 1);
        if (limit < 1 || page < 1)
        {
            throw MondayApiException.InvalidArgument("limit and page must be positive");
        }

        return source.Skip((page - 1) * limit).Take(limit).ToList();
    }

    private object? ResolveObject(string type, string field, object source, JsonObject args) => source switch
    {
        BoardRecord board => ResolveBoard(board, field, args),
        GroupView group => ResolveGroup(group, field, args),
        ColumnRecord column => ResolveColumn(column, field),
        ItemRecord item => ResolveItem(item, field, args),
        ColumnValueView value => ResolveColumnValue(value, field),
        UpdateRecord update => ResolveUpdate(update, field),
        UserRecord user => ResolveUser(user, field),
        AccountRecord account => field switch
        {
            "id" => account.Id,
            "name" => account.Name,
            "slug" => account.Slug,
            "tier" => account.Tier,
            _ => Unresolved.Instance,
        },
        WorkspaceRecord workspace => field switch
        {
            "id" => workspace.Id,
            "name" => workspace.Name,
            "kind" => workspace.Kind,
            "state" => "active",
            "is_default_workspace" => workspace.Id == 1,
            _ => Unresolved.Instance,
        },
        WebhookRecord webhook => field switch
        {
            "id" => webhook.Id.ToString(CultureInfo.InvariantCulture),
            "board_id" => webhook.BoardId.ToString(CultureInfo.InvariantCulture),
            "event" => webhook.Event,
            "config" => webhook.Config,
            _ => Unresolved.Instance,
        },
        TagRecord tag => field switch
        {
            "id" => tag.Id,
            "name" => tag.Name,
            "color" => tag.Color,
            _ => Unresolved.Instance,
        },
        ItemsPageResult page => field switch
        {
            "cursor" => page.Cursor,
            "items" => page.Items,
            _ => Unresolved.Instance,
        },
        _ => throw new InvalidOperationException($"No resolver for {type}.{field} on {source.GetType().Name}"),
    };

    private object? ResolveBoard(BoardRecord board, string field, JsonObject args)
    {
        switch (field)
        {
            case "id":
                return board.Id;
            case "name":
                return board.Name;
            case "description":
                return board.Description;
            case "state":
                return board.State;
            case "board_kind":
                return board.BoardKind;
            case "type":
                return board.ParentBoardId is null ? "board" : "sub_items_board";
            case "workspace_id":
                return board.WorkspaceId;
            case "workspace":
                return State.Workspaces.FirstOrDefault(w => w.Id == board.WorkspaceId);
            case "created_at":
                return board.CreatedAt;
            case "updated_at":
                return board.UpdatedAt;
            case "url":
                return $"https://emulated.monday.com/boards/{board.Id}";
            case "items_count":
                return State.Items.Count(i => i.BoardId == board.Id && i.State == "active");
            case "items_limit":
                return _options.MaxItemsPerBoard;
            case "owner":
                return State.Users.FirstOrDefault(u => u.Id == board.OwnerId);
            case "owners" or "subscribers":
                return State.Users.Where(u => u.Id == board.OwnerId).ToList();
            case "permissions":
                return "everyone";
            case "columns":
                {
                    var ids = StringList(args, "ids");
                    var types = StringList(args, "types");
                    return board.Columns.Where(c => !c.Archived && (ids.Count == 0 || ids.Contains(c.Id)) && (types.Count == 0 || types.Contains(c.Type))).ToList();
                }

            case "groups":
                {
                    var ids = StringList(args, "ids");
                    return board.Groups.Where(g => !g.Deleted && (ids.Count == 0 || ids.Contains(g.Id))).OrderBy(g => g.Position).Select(g => new GroupView(board, g)).ToList();
                }

            case "top_group":
                return board.Groups.Where(g => !g.Deleted && !g.Archived).OrderBy(g => g.Position).Select(g => new GroupView(board, g)).FirstOrDefault();
            case "items_page":
                return ItemsPage(board, null, args);
            case "updates":
                {
                    var itemIds = State.Items.Where(i => i.BoardId == board.Id).Select(i => i.Id).ToHashSet();
                    return Paginate(State.Updates.Where(u => itemIds.Contains(u.ItemId)).OrderByDescending(u => u.CreatedAt), args);
                }

            default:
                return Unresolved.Instance;
        }
    }

    private object? ResolveGroup(GroupView view, string field, JsonObject args) => field switch
    {
        "id" => view.Group.Id,
        "title" => view.Group.Title,
        "color" => view.Group.Color,
        "position" => view.Group.Position.ToString(CultureInfo.InvariantCulture),
        "archived" => view.Group.Archived,
        "deleted" => view.Group.Deleted,
        "items_page" => ItemsPage(view.Board, view.Group.Id, args),
        _ => Unresolved.Instance,
    };

    private static object? ResolveColumn(ColumnRecord column, string field) => field switch
    {
        "id" => column.Id,
        "title" => column.Title,
        "type" => column.Type,
        "description" => column.Description,
        "archived" => column.Archived,
        "width" => null,
        "settings" => JsonNode.Parse(column.Settings),
        "settings_str" => column.Settings,
        "revision" => "1",
        _ => Unresolved.Instance,
    };

    private object? ResolveItem(ItemRecord item, string field, JsonObject args)
    {
        switch (field)
        {
            case "id":
                return item.Id;
            case "name":
                return item.Name;
            case "state":
                return item.State;
            case "board":
                return State.Boards.FirstOrDefault(b => b.Id == item.BoardId);
            case "group":
                {
                    var board = State.Boards.First(b => b.Id == item.BoardId);
                    var group = board.Groups.FirstOrDefault(g => g.Id == item.GroupId);
                    return group is null ? null : new GroupView(board, group);
                }

            case "created_at":
                return item.CreatedAt;
            case "updated_at":
                return item.UpdatedAt;
            case "creator_id":
                return item.CreatorId.ToString(CultureInfo.InvariantCulture);
            case "creator":
                return State.Users.FirstOrDefault(u => u.Id == item.CreatorId);
            case "url":
                return $"https://emulated.monday.com/boards/{item.BoardId}/pulses/{item.Id}";
            case "relative_link":
                return $"/boards/{item.BoardId}/pulses/{item.Id}";
            case "email":
                return $"pulse-{item.Id}@emulated.monday.com";
            case "parent_item":
                return item.ParentItemId is { } parentId ? _store.FindItem(parentId) : null;
            case "subitems":
                return State.Items.Where(i => i.ParentItemId == item.Id && i.State != "deleted").OrderBy(i => i.Position).ToList();
            case "subscribers":
                return State.Users.Where(u => u.Id == item.CreatorId).ToList();
            case "column_values":
                {
                    var ids = StringList(args, "ids");
                    var types = StringList(args, "types");
                    var board = State.Boards.First(b => b.Id == item.BoardId);
                    return board.Columns
                        .Where(c => !c.Archived && c.Type != "name" && (ids.Count == 0 || ids.Contains(c.Id)) && (types.Count == 0 || types.Contains(c.Type)))
                        .Select(c => new ColumnValueView(item, c, item.Values.GetValueOrDefault(c.Id)))
                        .ToList();
                }

            case "updates":
                return PaginateWithDefault(State.Updates.Where(u => u.ItemId == item.Id && u.ParentUpdateId is null).OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.Id), args, 25);
            default:
                return Unresolved.Instance;
        }
    }

    private object? ResolveColumnValue(ColumnValueView view, string field)
    {
        var stored = view.Stored is null ? null : JsonNode.Parse(view.Stored);
        switch (field)
        {
            case "id":
                return view.Column.Id;
            case "type":
                return view.Column.Type;
            case "text":
                return ColumnValues.Text(view.Column, view.Stored, State);
            case "value":
                return view.Stored is null ? null : JsonValue.Create(view.Stored);
            case "column":
                return view.Column;
            case "is_leaf":
                return true;
            case "updated_at":
                return stored?["changed_at"]?.GetValue<string>() is { } changed ? DateTimeOffset.Parse(changed, CultureInfo.InvariantCulture) : null;
        }

        switch (view.Column.Type, field)
        {
            case ("status", "index"):
                return stored?["index"]?.GetValue<int>() ?? ColumnValues.BlankStatusIndex;
            case ("status", "label"):
                return ColumnValues.Text(view.Column, view.Stored, State);
            case ("status", "is_done"):
                {
                    var index = stored?["index"]?.GetValue<int>() ?? ColumnValues.BlankStatusIndex;
                    return ColumnValues.StatusLabels(view.Column).FirstOrDefault(l => l.Index == index)?.IsDone ?? false;
                }

            case ("status", "label_style"):
                {
                    var index = stored?["index"]?.GetValue<int>() ?? ColumnValues.BlankStatusIndex;
                    var color = ColumnValues.StatusLabels(view.Column).FirstOrDefault(l => l.Index == index)?.Color ?? "american_gray";
                    return new JsonObject { ["color"] = color, ["border"] = color };
                }

            case ("status", "update_id"):
                return null;
            case ("people", "persons_and_teams"):
                return stored?["personsAndTeams"] is JsonArray people
                    ? people.OfType<JsonObject>().Select(p => new JsonObject { ["id"] = p["id"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture), ["kind"] = p["kind"]?.GetValue<string>() ?? "person" }).ToList()
                    : null;
            case ("date", "date"):
                return stored?["date"]?.GetValue<string>();
            case ("date", "time"):
                return stored?["time"]?.GetValue<string>();
            case ("date", "icon"):
                return null;
            case ("timeline", "from"):
                return stored?["from"]?.GetValue<string>();
            case ("timeline", "to"):
                return stored?["to"]?.GetValue<string>();
            case ("timeline", "visualization_type"):
                return null;
            case ("text" or "long_text", "text"):
                return ColumnValues.Text(view.Column, view.Stored, State);
            case ("numbers", "number"):
                return stored is null ? null : double.Parse(stored.GetValue<string>(), CultureInfo.InvariantCulture);
            case ("numbers", "symbol"):
                return null;
            case ("numbers", "direction"):
                return null;
            case ("link", "url"):
                return stored?["url"]?.GetValue<string>();
            case ("link", "url_text"):
                return stored?["text"]?.GetValue<string>();
            case ("email", "email"):
                return stored?["email"]?.GetValue<string>();
            case ("email", "label"):
                return stored?["text"]?.GetValue<string>();
            case ("phone", "phone"):
                return stored?["phone"]?.GetValue<string>();
            case ("phone", "country_short_name"):
                return stored?["countryShortName"]?.GetValue<string>();
            case ("checkbox", "checked"):
                return stored?["checked"]?.GetValue<string>() == "true";
            case ("dropdown", "values"):
                {
                    var options = (JsonNode.Parse(view.Column.Settings)?["labels"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                    return (stored?["ids"] as JsonArray ?? []).Select(id =>
                    {
                        var option = options.FirstOrDefault(o => o["id"]!.GetValue<int>() == id!.GetValue<int>());
                        return new JsonObject { ["id"] = id!.GetValue<int>().ToString(CultureInfo.InvariantCulture), ["label"] = option?["name"]?.GetValue<string>() };
                    }).ToList();
                }

            case ("tags", "tag_ids"):
                return (stored?["tag_ids"] as JsonArray ?? []).Select(id => id!.GetValue<long>()).ToList();
            case ("tags", "tags"):
                {
                    var ids = (stored?["tag_ids"] as JsonArray ?? []).Select(id => id!.GetValue<long>()).ToHashSet();
                    return State.Tags.Where(t => ids.Contains(t.Id)).ToList();
                }

            case ("subtasks", "subitems_ids"):
                return State.Items.Where(i => i.ParentItemId == view.Item.Id && i.State != "deleted").Select(i => i.Id).ToList();
            case ("subtasks", "subitems"):
                return State.Items.Where(i => i.ParentItemId == view.Item.Id && i.State != "deleted").ToList();
            default:
                return Unresolved.Instance;
        }
    }

    private object? ResolveUpdate(UpdateRecord update, string field) => field switch
    {
        "id" => update.Id,
        "body" => update.Body,
        "text_body" => System.Text.RegularExpressions.Regex.Replace(update.Body, "<[^>]*>", string.Empty),
        "item_id" => update.ItemId.ToString(CultureInfo.InvariantCulture),
        "item" => _store.FindItem(update.ItemId),
        "creator_id" => update.CreatorId.ToString(CultureInfo.InvariantCulture),
        "creator" => State.Users.FirstOrDefault(u => u.Id == update.CreatorId),
        "created_at" => update.CreatedAt,
        "updated_at" => update.CreatedAt,
        "replies" => State.Updates.Where(u => u.ParentUpdateId == update.Id).Select(u => new JsonObject
        {
            ["id"] = u.Id.ToString(CultureInfo.InvariantCulture),
            ["body"] = u.Body,
            ["text_body"] = u.Body,
            ["creator_id"] = u.CreatorId.ToString(CultureInfo.InvariantCulture),
            ["created_at"] = u.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["updated_at"] = u.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        }).ToList(),
        _ => Unresolved.Instance,
    };

    private object? ResolveUser(UserRecord user, string field) => field switch
    {
        "id" => user.Id,
        "name" => user.Name,
        "email" => user.Email,
        "is_admin" => user.IsAdmin,
        "is_guest" => false,
        "is_pending" => false,
        "is_view_only" => false,
        "is_verified" => true,
        "enabled" => user.Enabled,
        "created_at" => user.CreatedAt,
        "account" => State.Account,
        "kind" => "person",
        "status" => user.Enabled ? "active" : "inactive",
        "is_deleted" => !user.Enabled,
        "time_zone_identifier" => "Etc/UTC",
        "url" => $"https://emulated.monday.com/users/{user.Id}",
        _ => Unresolved.Instance,
    };

    // ---------- items pages ----------

    private ItemsPageResult ItemsPage(BoardRecord board, string? groupId, JsonObject args)
    {
        var limit = OptionalInt(args, "limit", 25);
        CheckPageLimit(limit);
        if (OptionalString(args, "cursor") is { } cursor)
        {
            return NextItemsPage(cursor, limit);
        }

        var query = args["query_params"] as JsonObject;
        var evaluator = new ItemsQueryEvaluator(State, board, _context.Now);
        var matches = State.Items
            .Where(i => i.BoardId == board.Id && i.State == "active" && (groupId is null || i.GroupId == groupId));
        var ordered = evaluator.Apply(matches, query);
        return StartPage(ordered.Select(i => i.Id).ToList(), limit);
    }

    private ItemsPageResult StartPage(List<long> ids, int limit)
    {
        var page = ids.Take(limit).ToList();
        var cursor = ids.Count > limit ? _store.CreateCursor(ids, limit, _context.Now) : null;
        return new ItemsPageResult(cursor, page.Select(id => _store.FindItem(id)).OfType<ItemRecord>().ToList());
    }

    private static void CheckPageLimit(int limit)
    {
        if (limit is < 1 or > MaxItemsPageLimit)
        {
            throw MondayApiException.InvalidArgument($"limit must be between 1 and {MaxItemsPageLimit}, got {limit}");
        }
    }

    private ItemsPageResult NextItemsPage(string cursor, int limit)
    {
        CheckPageLimit(limit);
        _store.ForgetExpiredCursors(_context.Now, _options.CursorLifetime * 24);
        var state = _store.FindCursor(cursor)
            ?? throw new MondayApiException("InvalidCursorException", "The cursor is invalid or unknown", new JsonObject { ["cursor"] = cursor });
        if (_context.Now - state.CreatedAt >= _options.CursorLifetime)
        {
            throw new MondayApiException(
                "CursorExpiredError",
                "The cursor has expired: cursors are valid for 60 minutes from the first page request. Start again from the first page.",
                new JsonObject { ["cursor"] = cursor });
        }

        var remaining = state.ItemIds.Skip(state.Offset).ToList();
        var pageIds = remaining.Take(limit).ToList();
        var next = remaining.Count > limit ? _store.CreateCursor(state.ItemIds, state.Offset + limit, state.CreatedAt) : null;
        return new ItemsPageResult(next, pageIds.Select(id => _store.FindItem(id)).OfType<ItemRecord>().Where(i => i.State == "active").ToList());
    }

    private ItemsPageResult ItemsPageByColumnValues(JsonObject args)
    {
        var limit = OptionalInt(args, "limit", 25);
        CheckPageLimit(limit);
        if (OptionalString(args, "cursor") is { } cursor)
        {
            return NextItemsPage(cursor, limit);
        }

        var boardId = RequireId(args, "board_id");
        var board = _store.FindBoard(boardId) ?? throw MondayApiException.BoardNotFound(boardId.ToString(CultureInfo.InvariantCulture));
        var filters = (args["columns"] as JsonArray ?? []).OfType<JsonObject>().Select(c =>
        {
            var columnId = c["column_id"]!.GetValue<string>();
            var column = columnId == "name" ? null : board.Columns.FirstOrDefault(col => col.Id == columnId) ?? throw MondayApiException.ColumnNotFound(columnId, board.Id);
            var values = (c["column_values"] as JsonArray ?? []).Select(v => v?.GetValue<string>() ?? string.Empty).ToHashSet(StringComparer.Ordinal);
            return (columnId, column, values);
        }).ToList();

        var ids = State.Items
            .Where(i => i.BoardId == board.Id && i.State == "active")
            .Where(i => filters.All(f =>
            {
                var text = f.column is null ? i.Name : ColumnValues.Text(f.column, i.Values.GetValueOrDefault(f.columnId), State) ?? string.Empty;
                return f.values.Contains(text);
            }))
            .OrderBy(i => i.Position)
            .Select(i => i.Id)
            .ToList();
        return StartPage(ids, limit);
    }
}
