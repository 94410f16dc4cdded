using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DiscordLedgerBot.Emulators.Monday.Execution;

internal sealed partial class MondayExecutor
{
    private const int MaxNameLength = 255;
    private static readonly string[] GroupColors = ["#579bfc", "#00c875", "#fdab3d", "#e2445c", "#a25ddc", "#037f4c"];

    private object? ResolveMutation(string field, JsonObject args)
    {
        if (field == "complexity")
        {
            return ComplexityJson();
        }

        object? result = field switch
        {
            "create_board" => CreateBoard(args),
            "archive_board" => SetBoardState(args, "archived"),
            "delete_board" => SetBoardState(args, "deleted"),
            "create_group" => CreateGroup(args),
            "create_column" => CreateColumn(args),
            "create_item" => CreateItem(args),
            "create_subitem" => CreateSubitem(args),
            "change_multiple_column_values" => ChangeColumnValues(args, () => ParseColumnValuesObject(args["column_values"])),
            "change_column_value" => ChangeColumnValues(args, () => new JsonObject { [args["column_id"]!.GetValue<string>()] = ParseJsonArgument(args["value"], "value", "ColumnValueException") }),
            "change_simple_column_value" => ChangeSimpleColumnValue(args),
            "archive_item" => SetItemState(args, "archived"),
            "delete_item" => SetItemState(args, "deleted"),
            "move_item_to_group" => MoveItemToGroup(args),
            "create_update" => CreateUpdate(args),
            "create_or_get_tag" => CreateOrGetTag(args),
            "create_webhook" => CreateWebhook(args),
            "delete_webhook" => DeleteWebhook(args),
            _ => Unresolved.Instance,
        };
        if (result is Unresolved)
        {
            throw new MondayApiException("EmulatorUnsupportedField", $"Mutation '{field}' is valid in monday's schema but not implemented by the emulator");
        }

        _mutationFields++;
        MarkChanged();
        return result;
    }

    private BoardRecord RequireBoard(JsonObject args, string name = "board_id")
    {
        var id = RequireId(args, name);
        var board = _store.FindBoard(id) ?? throw MondayApiException.BoardNotFound(id.ToString(CultureInfo.InvariantCulture));
        return board;
    }

    private ItemRecord RequireItem(JsonObject args, string name = "item_id")
    {
        var id = RequireId(args, name);
        return _store.FindItem(id) ?? throw MondayApiException.ItemNotFound(id.ToString(CultureInfo.InvariantCulture));
    }

    private static string RequireName(JsonObject args, string name, string what)
    {
        var value = args[name]?.GetValue<string>() ?? string.Empty;
        if (value.Trim().Length == 0)
        {
            throw MondayApiException.InvalidArgument($"{what} can't be blank");
        }

        return value;
    }

    private BoardRecord CreateBoard(JsonObject args)
    {
        var name = args["board_name"]?.GetValue<string>() ?? string.Empty;
        if (name.Trim().Length == 0 || name.Length > MaxNameLength)
        {
            throw new MondayApiException("CreateBoardException", $"Board name must be between 1 and {MaxNameLength} characters");
        }

        var workspaceId = OptionalId(args, "workspace_id");
        if (workspaceId is { } w && State.Workspaces.All(ws => ws.Id != w))
        {
            throw new MondayApiException("CreateBoardException", "Workspace not found", new JsonObject { ["workspace_id"] = w });
        }

        var board = NewBoard(name, args["board_kind"]?.GetValue<string>() ?? "public", workspaceId ?? 1, null);
        board.Description = OptionalString(args, "description");
        return board;
    }

    private BoardRecord NewBoard(string name, string kind, long? workspaceId, long? parentBoardId)
    {
        var board = new BoardRecord
        {
            Id = State.NextBoardId++,
            Name = name,
            BoardKind = kind,
            WorkspaceId = workspaceId,
            OwnerId = _context.UserId,
            ParentBoardId = parentBoardId,
            CreatedAt = _context.Now,
            UpdatedAt = _context.Now,
            Groups = [new GroupRecord { Id = "topics", Title = parentBoardId is null ? "Group Title" : "Subitems", Color = GroupColors[0], Position = 1 }],
            Columns = [new ColumnRecord { Id = "name", Title = "Name", Type = "name" }],
        };
        State.Boards.Add(board);
        return board;
    }

    private BoardRecord SetBoardState(JsonObject args, string state)
    {
        var board = RequireBoard(args);
        board.State = state;
        board.UpdatedAt = _context.Now;
        return board;
    }

    private GroupView CreateGroup(JsonObject args)
    {
        var board = RequireBoard(args);
        var title = RequireName(args, "group_name", "Group name");
        if (title.Length > MaxNameLength)
        {
            throw MondayApiException.InvalidArgument($"Group name must be at most {MaxNameLength} characters");
        }

        var group = new GroupRecord
        {
            Id = $"group_mk{State.NextColumnSuffix++:x}",
            Title = title,
            Color = OptionalString(args, "group_color") ?? GroupColors[board.Groups.Count % GroupColors.Length],
        };
        var ordered = board.Groups.OrderBy(g => g.Position).ToList();
        var index = ordered.Count;
        if (OptionalString(args, "relative_to") is { } relativeTo)
        {
            var anchor = ordered.FindIndex(g => g.Id == relativeTo);
            if (anchor < 0)
            {
                throw MondayApiException.GroupNotFound(relativeTo, board.Id);
            }

            index = OptionalString(args, "position_relative_method") == "before_at" ? anchor : anchor + 1;
        }

        ordered.Insert(index, group);
        for (var i = 0; i < ordered.Count; i++)
        {
            ordered[i].Position = i + 1;
        }

        board.Groups.Add(group);
        board.UpdatedAt = _context.Now;
        return new GroupView(board, group);
    }

    [GeneratedRegex("^[a-z0-9_]{1,20}$", RegexOptions.CultureInvariant)]
    private static partial Regex ColumnIdPattern();

    private ColumnRecord CreateColumn(JsonObject args)
    {
        var board = RequireBoard(args);
        var title = RequireName(args, "title", "Column title");
        var type = args["column_type"]!.GetValue<string>();
        if (type is "name" or "subtasks" or "item_id" or "auto_number" or "unsupported")
        {
            throw MondayApiException.InvalidArgument($"Columns of type {type} can't be created through create_column");
        }

        var id = OptionalString(args, "id");
        if (id is not null)
        {
            if (!ColumnIdPattern().IsMatch(id))
            {
                throw MondayApiException.InvalidArgument("Column id must be 1-20 characters of lowercase letters, digits and underscores");
            }

            if (board.Columns.Any(c => c.Id == id))
            {
                throw MondayApiException.InvalidArgument($"A column with id '{id}' already exists on the board");
            }
        }
        else
        {
            id = $"{LegacyPrefix(type)}_mk{State.NextColumnSuffix++:x}";
        }

        var defaults = ParseJsonArgument(args["defaults"], "defaults", "InvalidArgumentException");
        if (defaults is not null and not JsonObject)
        {
            throw MondayApiException.InvalidArgument("defaults must be a JSON object");
        }

        string settings;
        try
        {
            settings = type switch
            {
                "status" => ColumnValues.StatusSettings(defaults as JsonObject),
                "dropdown" => DropdownSettings(defaults as JsonObject),
                _ => (defaults as JsonObject)?.ToJsonString() ?? "{}",
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw MondayApiException.InvalidArgument($"defaults have an unexpected shape for a {type} column: {e.Message}");
        }

        var column = new ColumnRecord
        {
            Id = id,
            Title = title,
            Type = type,
            Description = OptionalString(args, "description"),
            Settings = settings,
        };
        var index = board.Columns.Count;
        if (OptionalString(args, "after_column_id") is { } after)
        {
            var anchor = board.Columns.FindIndex(c => c.Id == after);
            if (anchor < 0)
            {
                throw MondayApiException.ColumnNotFound(after, board.Id);
            }

            index = anchor + 1;
        }

        board.Columns.Insert(index, column);
        board.UpdatedAt = _context.Now;
        return column;
    }

    private static string LegacyPrefix(string type) => type switch
    {
        "status" => "color",
        "people" => "person",
        "numbers" => "numeric",
        "long_text" => "long_text",
        "checkbox" => "boolean",
        _ => type,
    };

    private static string DropdownSettings(JsonObject? defaults)
    {
        var source = defaults?["settings"]?["labels"] ?? defaults?["labels"];
        var labels = new JsonArray();
        var nextId = 1;
        foreach (var entry in source as JsonArray ?? [])
        {
            var (id, name) = entry switch
            {
                JsonObject o => (o["id"]?.GetValue<int>() ?? nextId, o["name"]?.GetValue<string>() ?? o["label"]?.GetValue<string>() ?? string.Empty),
                _ => (nextId, entry?.GetValue<string>() ?? string.Empty),
            };
            nextId = Math.Max(nextId, id) + 1;
            labels.Add(new JsonObject { ["id"] = id, ["name"] = name });
        }

        return new JsonObject { ["type"] = "dropdown", ["labels"] = labels }.ToJsonString();
    }

    private static JsonObject ParseColumnValuesObject(JsonNode? argument)
    {
        var parsed = ParseJsonArgument(argument, "column_values", "ColumnValueException");
        return parsed switch
        {
            null => [],
            JsonObject obj => obj,
            _ => throw MondayApiException.ColumnValue("column_values must be a JSON object keyed by column id", "column_values", parsed.ToJsonString()),
        };
    }

    /// <summary>
    /// Validates and converts every value first, then applies them, so a bad value changes nothing
    /// (labels created on the way are rolled back too).
    /// </summary>
    private void ApplyColumnValues(BoardRecord board, ItemRecord item, JsonObject values, bool createLabels, bool isNew)
    {
        var settingsBefore = board.Columns.ToDictionary(c => c.Id, c => c.Settings, StringComparer.Ordinal);
        try
        {
            var converted = new Dictionary<string, string?>(StringComparer.Ordinal);
            string? newName = null;
            foreach (var (columnId, value) in values)
            {
                if (columnId == "name")
                {
                    newName = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : throw MondayApiException.ColumnValue("name must be a string", "name", value?.ToJsonString());
                    ValidateItemName(newName);
                    continue;
                }

                var column = board.Columns.FirstOrDefault(c => c.Id == columnId && !c.Archived) ?? throw MondayApiException.ColumnNotFound(columnId, board.Id);
                converted[columnId] = ColumnValues.Write(column, value, createLabels, _context.Now, State);
            }

            var previousName = item.Name;
            if (newName is not null)
            {
                item.Name = newName;
            }

            foreach (var (columnId, stored) in converted)
            {
                if (!isNew && item.Values.GetValueOrDefault(columnId) != stored)
                {
                    var column = board.Columns.First(c => c.Id == columnId);
                    RaiseItemEvent("change_column_value", item, columnId, column.Type, stored, item.Values.GetValueOrDefault(columnId));
                }

                if (stored is null)
                {
                    item.Values.Remove(columnId);
                }
                else
                {
                    item.Values[columnId] = stored;
                }
            }

            if (!isNew)
            {
                item.UpdatedAt = _context.Now;
                if (newName is not null && newName != previousName)
                {
                    RaiseItemEvent("change_name", item, "name", "name", JsonSerializer.Serialize(newName), JsonSerializer.Serialize(previousName));
                }
            }
        }
        catch (MondayApiException)
        {
            foreach (var column in board.Columns)
            {
                column.Settings = settingsBefore[column.Id];
            }

            throw;
        }
    }

    private static void ValidateItemName(string name)
    {
        if (name.Length is 0 or > MaxNameLength)
        {
            throw new MondayApiException(
                "ItemNameTooLongException",
                $"Item name must be between 1 and {MaxNameLength} characters long",
                new JsonObject { ["item_name_length"] = name.Length });
        }
    }

    private ItemRecord CreateItem(JsonObject args)
    {
        var board = RequireBoard(args);
        var name = args["item_name"]!.GetValue<string>();
        ValidateItemName(name);
        if (State.Items.Count(i => i.BoardId == board.Id && i.State != "deleted") >= _options.MaxItemsPerBoard)
        {
            throw new MondayApiException("ItemsLimitationException", $"The board has reached its limit of {_options.MaxItemsPerBoard} items");
        }

        var groupId = OptionalString(args, "group_id");
        GroupRecord group;
        if (groupId is not null)
        {
            group = board.Groups.FirstOrDefault(g => g.Id == groupId && !g.Deleted) ?? throw MondayApiException.GroupNotFound(groupId, board.Id);
        }
        else
        {
            group = board.Groups.Where(g => !g.Deleted && !g.Archived).OrderBy(g => g.Position).FirstOrDefault()
                ?? throw MondayApiException.InvalidArgument("The board has no group to add the item to");
        }

        var item = NewItem(board, group.Id, name, null);
        ApplyColumnValues(board, item, ParseColumnValuesObject(args["column_values"]), OptionalBool(args, "create_labels_if_missing"), isNew: true);
        PlaceItem(item, OptionalId(args, "relative_to"), OptionalString(args, "position_relative_method"));
        State.Items.Add(item);
        board.UpdatedAt = _context.Now;
        _stats.CountItemCreated();
        RaiseItemEvent("create_item", item, null, null, null, null);
        return item;
    }

    private ItemRecord NewItem(BoardRecord board, string groupId, string name, long? parentItemId) => new()
    {
        Id = State.NextItemId++,
        BoardId = board.Id,
        GroupId = groupId,
        Name = name,
        CreatorId = _context.UserId,
        ParentItemId = parentItemId,
        CreatedAt = _context.Now,
        UpdatedAt = _context.Now,
        Position = State.Items.Where(i => i.BoardId == board.Id && i.GroupId == groupId).Select(i => i.Position).DefaultIfEmpty(0).Max() + 1,
    };

    private void PlaceItem(ItemRecord item, long? relativeTo, string? method)
    {
        if (relativeTo is not { } anchorId)
        {
            return;
        }

        var anchor = _store.FindItem(anchorId);
        if (anchor is null || anchor.BoardId != item.BoardId)
        {
            throw MondayApiException.ItemNotFound(anchorId.ToString(CultureInfo.InvariantCulture));
        }

        item.GroupId = anchor.GroupId;
        var siblings = State.Items.Where(i => i.BoardId == item.BoardId && i.GroupId == anchor.GroupId && i.Id != item.Id).OrderBy(i => i.Position).ToList();
        var index = siblings.IndexOf(anchor) + (method == "before_at" ? 0 : 1);
        siblings.Insert(index, item);
        for (var i = 0; i < siblings.Count; i++)
        {
            siblings[i].Position = i + 1;
        }
    }

    private ItemRecord CreateSubitem(JsonObject args)
    {
        var parent = RequireItem(args, "parent_item_id");
        var name = args["item_name"]!.GetValue<string>();
        ValidateItemName(name);
        var parentBoard = State.Boards.First(b => b.Id == parent.BoardId);
        if (parentBoard.ParentBoardId is not null)
        {
            throw MondayApiException.InvalidArgument("Subitems can't have subitems");
        }

        var subitemsBoard = State.Boards.FirstOrDefault(b => b.ParentBoardId == parentBoard.Id);
        var createdBoard = subitemsBoard is null;
        subitemsBoard ??= NewBoard($"Subitems of {parentBoard.Name}", parentBoard.BoardKind, parentBoard.WorkspaceId, parentBoard.Id);
        try
        {
            var item = NewItem(subitemsBoard, subitemsBoard.Groups[0].Id, name, parent.Id);
            ApplyColumnValues(subitemsBoard, item, ParseColumnValuesObject(args["column_values"]), OptionalBool(args, "create_labels_if_missing"), isNew: true);
            if (parentBoard.Columns.All(c => c.Type != "subtasks"))
            {
                parentBoard.Columns.Insert(1, new ColumnRecord
                {
                    Id = "subitems",
                    Title = "Subitems",
                    Type = "subtasks",
                    Settings = new JsonObject { ["boardIds"] = new JsonArray(subitemsBoard.Id) }.ToJsonString(),
                });
            }

            State.Items.Add(item);
            parent.UpdatedAt = _context.Now;
            _stats.CountItemCreated();
            return item;
        }
        catch (MondayApiException) when (createdBoard)
        {
            State.Boards.Remove(subitemsBoard);
            State.NextBoardId--;
            throw;
        }
    }

    private (BoardRecord Board, ItemRecord Item) RequireItemOnBoard(JsonObject args)
    {
        var board = RequireBoard(args);
        if (args["item_id"] is null)
        {
            throw MondayApiException.InvalidArgument("item_id is required");
        }

        var item = RequireItem(args);
        if (item.BoardId != board.Id)
        {
            throw MondayApiException.ItemNotFound(item.Id.ToString(CultureInfo.InvariantCulture));
        }

        return (board, item);
    }

    private ItemRecord ChangeColumnValues(JsonObject args, Func<JsonObject> values)
    {
        var (board, item) = RequireItemOnBoard(args);
        ApplyColumnValues(board, item, values(), OptionalBool(args, "create_labels_if_missing"), isNew: false);
        return item;
    }

    private ItemRecord ChangeSimpleColumnValue(JsonObject args)
    {
        var (board, item) = RequireItemOnBoard(args);
        var columnId = args["column_id"]!.GetValue<string>();
        var value = OptionalString(args, "value");
        JsonNode? json;
        if (columnId == "name")
        {
            json = value;
        }
        else
        {
            var column = board.Columns.FirstOrDefault(c => c.Id == columnId && !c.Archived) ?? throw MondayApiException.ColumnNotFound(columnId, board.Id);
            json = ColumnValues.SimpleToJson(column, value);
        }

        ApplyColumnValues(board, item, new JsonObject { [columnId] = json }, OptionalBool(args, "create_labels_if_missing"), isNew: false);
        return item;
    }

    private ItemRecord SetItemState(JsonObject args, string state)
    {
        var item = RequireItem(args);
        if (item.State != state)
        {
            RaiseItemEvent(state == "archived" ? "item_archived" : "item_deleted", item, null, null, null, null);
        }

        item.State = state;
        item.UpdatedAt = _context.Now;
        foreach (var subitem in State.Items.Where(i => i.ParentItemId == item.Id && i.State == "active"))
        {
            subitem.State = state;
        }

        return item;
    }

    private ItemRecord MoveItemToGroup(JsonObject args)
    {
        var item = RequireItem(args);
        var board = State.Boards.First(b => b.Id == item.BoardId);
        var groupId = args["group_id"]!.GetValue<string>();
        var group = board.Groups.FirstOrDefault(g => g.Id == groupId && !g.Deleted) ?? throw MondayApiException.GroupNotFound(groupId, board.Id);
        if (item.GroupId != group.Id)
        {
            item.Position = State.Items.Where(i => i.BoardId == board.Id && i.GroupId == group.Id).Select(i => i.Position).DefaultIfEmpty(0).Max() + 1;
            var previousGroup = item.GroupId;
            item.GroupId = group.Id;
            item.UpdatedAt = _context.Now;
            RaiseItemEvent("item_moved_to_any_group", item, null, null, group.Id, previousGroup);
        }

        return item;
    }

    private UpdateRecord CreateUpdate(JsonObject args)
    {
        var body = RequireName(args, "body", "Update body");
        long itemId;
        long? parentId = OptionalId(args, "parent_id");
        if (parentId is { } p)
        {
            var parent = State.Updates.FirstOrDefault(u => u.Id == p)
                ?? throw new MondayApiException("ResourceNotFoundException", "Update not found", new JsonObject { ["update_id"] = p });
            itemId = parent.ItemId;
        }
        else
        {
            itemId = RequireItem(args).Id;
        }

        var update = new UpdateRecord
        {
            Id = State.NextUpdateId++,
            ItemId = itemId,
            ParentUpdateId = parentId,
            Body = body,
            CreatorId = _context.UserId,
            CreatedAt = _context.Now,
        };
        State.Updates.Add(update);
        return update;
    }

    private TagRecord CreateOrGetTag(JsonObject args)
    {
        var name = RequireName(args, "tag_name", "Tag name");
        var tag = State.Tags.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
        if (tag is null)
        {
            tag = new TagRecord { Id = State.NextTagId++, Name = name };
            State.Tags.Add(tag);
        }

        return tag;
    }

    private void RaiseItemEvent(string @event, ItemRecord item, string? columnId, string? columnType, string? value, string? previous) =>
        _itemEvents.Add(new MondayItemEvent(@event, item.BoardId, item.Id, item.Name, item.GroupId, columnId, columnType, value, previous, _context.Now, _context.UserId));

    private static readonly HashSet<string> SupportedWebhookEvents = new(StringComparer.Ordinal)
    {
        "change_column_value", "change_status_column_value", "change_specific_column_value", "change_name", "create_item",
        "item_archived", "item_deleted", "item_moved_to_any_group",
    };

    private WebhookRecord CreateWebhook(JsonObject args)
    {
        var board = RequireBoard(args);
        var url = args["url"]!.GetValue<string>();
        if (url.Length > 255 || !Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
        {
            throw MondayApiException.InvalidArgument("url must be an absolute http(s) URL of at most 255 characters");
        }

        var @event = args["event"]!.GetValue<string>();
        if (!SupportedWebhookEvents.Contains(@event))
        {
            throw new MondayApiException("EmulatorUnsupportedField", $"Webhook event '{@event}' is valid in monday's schema but not fired by the emulator");
        }

        var config = args["config"] switch
        {
            null => null,
            JsonValue text when text.TryGetValue<string>(out var json) => json,
            JsonNode node => node.ToJsonString(),
        };
        if (@event == "change_specific_column_value")
        {
            var columnId = config is null ? null : JsonNode.Parse(config)?["columnId"]?.GetValue<string>();
            if (columnId is null || board.Columns.All(c => c.Id != columnId))
            {
                throw MondayApiException.InvalidArgument("change_specific_column_value needs config {\"columnId\": \"<a column of the board>\"}");
            }
        }

        var webhook = new WebhookRecord { Id = State.NextWebhookId++, BoardId = board.Id, Url = url, Event = @event, Config = config };
        State.Webhooks.Add(webhook);
        _webhooksCreated.Add(webhook);
        return webhook;
    }

    private WebhookRecord DeleteWebhook(JsonObject args)
    {
        var id = args["id"]!.GetValue<string>();
        var webhook = State.Webhooks.FirstOrDefault(w => w.Id.ToString(CultureInfo.InvariantCulture) == id)
            ?? throw new MondayApiException("ResourceNotFoundException", $"Webhook {id} does not exist");
        State.Webhooks.Remove(webhook);
        return webhook;
    }
}
